"""docs/security.md: a key made as the page makes it replaces the default: the banner prints
it, it opens the API, and the default key no longer does."""

from __future__ import annotations

import base64
import re
import urllib.error
import urllib.request
from pathlib import Path

from emulator.settings import DEFAULT_AUTH
from tests.support.doc_blocks import block, foreground, user_environment
from tests.support.paths import REPO
from tests.support.servers import free_port


def status_with(url: str, key: str) -> int:
    token = base64.b64encode(key.encode()).decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)

    except urllib.error.HTTPError as error:
        return error.code


def test_a_key_of_ones_own_replaces_the_default(tmp_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = user_environment(
        FUNCTIONS_EMULATOR_PORT=str(port), FUNCTIONS_EMULATOR_DB=str(tmp_path / "records.db")
    )
    # In the repository root, whose project.yml is the sample project's.
    with foreground(block("security-own-key").text, cwd=REPO, env=env) as served:
        served.wait_ready(url)
        key = served.output.splitlines()[0]
        uuid = key.partition(":")[0]
        assert re.fullmatch(r"[0-9a-f-]{36}:[\w-]{64}", key)
        namespaces = f"{url}/api/v1/namespaces"
        assert status_with(namespaces, key) == 200
        assert status_with(namespaces, DEFAULT_AUTH) == 401
    assert f"  Auth key   {key}\n" in served.output
    assert f"  Namespace  fn-{uuid}\n" in served.output
