"""The clients page's `nim project deploy` walkthrough runs as written against the sample
project."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.clients import client_environment, require_clients
from tests.support.doc_blocks import block
from tests.support.paths import REPO, SAMPLE_FUNCTIONS
from tests.support.routes import NAMESPACE
from tests.support.servers import ServerProcess


def walkthrough() -> str:
    return block("clients-nim-walkthrough").text


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_the_nim_walkthrough_deploys_and_invokes_the_sample_project(
    serve: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    require_clients()
    server = serve()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough()],
        cwd=REPO,
        env=client_environment(tmp_path, APIHOST=server.url, TMPDIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert f"Stored a credential set for namespace '{NAMESPACE}' on host '{server.url}'" in out
    deployed = out.split("Deployed actions", 1)[1]
    for function in SAMPLE_FUNCTIONS:
        assert f"  - sample/{function}\n" in deployed
    assert "Failures" not in out + done.stderr
    assert '"body": "Hello Ada!"' in out
    assert '"body": "Hello stranger, from Node.js v' in out
    assert '"milliseconds": 90000' in out
    assert "stdout: converting 90s" in out
    assert '"status": "success"' in out
