"""docs/doctl.md runs as written: each of its shell blocks, in a shell set up by its first one,
against `functions-emulator serve` of the sample project, with the real doctl."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

from tests.support.doc_blocks import shell_blocks
from tests.support.doctl import doctl_environment, require_doctl
from tests.support.paths import REPO, SAMPLE_FUNCTIONS, SAMPLE_PROJECT
from tests.support.routes import NAMESPACE
from tests.support.servers import ServerProcess, serve_copy

pytestmark = pytest.mark.slow

PAGE = REPO / "docs" / "doctl.md"
BLOCKS = shell_blocks(PAGE)
SETUP = "doctl-setup"
# Between the setup's output and the block's (an echo in the script, not in either block).
MARKER = "::block::"

Block = Callable[[str], str]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    require_doctl()
    yield from serve_copy(tmp_path_factory.mktemp("doctl-docs"), SAMPLE_PROJECT)


@pytest.fixture(scope="module")
def run_block(tmp_path_factory: pytest.TempPathFactory, emulator: ServerProcess) -> Block:
    """Run the setup block, then block ID, in one bash (the docs' shell); the block's output."""
    home = tmp_path_factory.mktemp("doctl-docs-home")
    env = doctl_environment(home, api_url=emulator.url, APIHOST=emulator.url, TMPDIR=str(home))

    def run(block_id: str) -> str:
        script = BLOCKS[SETUP] if block_id == SETUP else f"{BLOCKS[SETUP]}\necho {MARKER}\n"
        if block_id != SETUP:
            script += BLOCKS[block_id]
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        out = done.stdout + done.stderr
        assert done.returncode == 0, f"{block_id}:\n{out}"
        return out.split(MARKER + "\n", 1)[-1]

    return run


def test_every_shell_block_of_the_page_is_run_here() -> None:
    assert set(BLOCKS) == {
        SETUP,
        "doctl-access-key",
        "doctl-apihost",
        "doctl-deploy",
        "doctl-functions",
        "doctl-activations",
        "doctl-control-plane",
        "doctl-get-metadata",
        "doctl-undeploy",
    }


def test_the_setup_connects_through_the_control_plane(
    run_block: Block, emulator: ServerProcess
) -> None:
    out = run_block(SETUP)
    assert "Serverless support is already installed at an appropriate version" in out
    assert (
        f"Connected to functions namespace '{NAMESPACE}' on API host "
        f"'{emulator.url}/doctl.co' (label=functions-emulator)"
    ) in out
    assert "Supported Languages:" in out
    assert "    go:1.20 (go:default)\n" in out


def test_an_access_key_connects_too(run_block: Block) -> None:
    out = run_block("doctl-access-key")
    assert out.count(f"Connected to functions namespace '{NAMESPACE}'") == 2


def test_the_hidden_flags_connect_with_the_key_alone(
    run_block: Block, emulator: ServerProcess
) -> None:
    out = run_block("doctl-apihost")
    assert f"Connected to functions namespace '{NAMESPACE}' on API host '{emulator.url}'" in out


def test_deploy_builds_the_go_function_remotely(run_block: Block) -> None:
    out = run_block("doctl-deploy")
    assert "Submitted function 'sample/hello-go' for remote building and deployment" in out
    listed = out.split("Deployed functions", 1)[1]
    for function in SAMPLE_FUNCTIONS:
        assert f"  - sample/{function}\n" in listed
    assert "Failures" not in out


def test_the_functions_commands(run_block: Block) -> None:
    out = run_block("doctl-functions")
    assert "sample/hello-go" in out
    assert '"name": "hello",' in out
    assert "Hello Ada!{" in out  # curl's answer has no newline of its own
    assert '"body": "Hello Ada!"' in out
    assert '"body": "Hello stranger, from Go go1.' in out
    assert out.count('"activationId"') == 2  # --full's record, then --no-wait's


def test_the_activations_commands(run_block: Block) -> None:
    out = run_block("doctl-activations")
    assert '"body": "Hello Ada, from Go go1.' in out
    ids = set(re.findall(r'"activationId": "([0-9a-f]{32})"', out))
    assert len(ids) == 1, out  # get ID, then get --last: the same record
    assert "stdout: greeted Ada from /" in out
    assert re.search(r"=== [0-9a-f]{32} success .* sample/hello-go:", out)
    assert "sample/hello-go" in out.split("Datetime", 1)[1]  # the list's table


def test_the_control_plane_commands(run_block: Block, emulator: ServerProcess) -> None:
    out = run_block("doctl-control-plane")
    assert re.search(
        rf"functions-emulator\s+local\s+{NAMESPACE}\s+{re.escape(emulator.url)}/doctl\.co", out
    )
    assert "Name    Cron Expression    Invokes    Enabled    Last Run At" in out


def test_get_metadata_reads_the_emulators_runtimes(run_block: Block) -> None:
    metadata = json.loads(run_block("doctl-get-metadata"))
    assert [p["name"] for p in metadata["packages"]] == ["sample"]


def test_undeploy_answers_at_once(run_block: Block) -> None:
    started = time.monotonic()
    out = run_block("doctl-undeploy")
    # Both undeploys and the setup's three commands, without 31 s of retries per function.
    assert time.monotonic() - started < 20
    assert out.count("The requested resources have been undeployed.") == 2
