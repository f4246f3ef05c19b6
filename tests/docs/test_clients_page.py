"""docs/clients.md: with its APIHOST and AUTH, the openwhisk npm SDK, installed as the page
installs it, invokes a function of the sample project. (The nim walkthrough runs in
tests/conformance/test_nim_walkthrough.py, with the other real clients.)"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.ci import require
from tests.support.clients import client_environment
from tests.support.doc_blocks import block, run_script
from tests.support.servers import ServerProcess


def test_the_openwhisk_sdk_invokes_a_function(sample_server: ServerProcess, tmp_path: Path):
    require(shutil.which("npm") is not None, "npm is missing: install Node.js 18 or newer")
    script = block("clients-setup").text + block("clients-openwhisk-sdk").text
    env = client_environment(
        tmp_path,
        APIHOST=sample_server.url,
        TMPDIR=str(tmp_path),
        # The copy `npm ci --prefix tests` put in npm's cache serves, when it is there.
        npm_config_prefer_offline="true",
        npm_config_cache=str(Path.home() / ".npm"),
    )
    done = run_script(script, cwd=tmp_path, env=env, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "{ body: 'Hello Ada!' }"
    assert "added" in done.stdout  # npm's summary
