"""The shell blocks of docs/security.md and docs/limits.md on the defaults and failures run
as written, against a real emulator, and say what the pages say they say."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.ci import require
from tests.support.doc_blocks import shell_blocks, unmarked_shell_blocks
from tests.support.paths import FIXTURE_PROJECTS, REPO, SAMPLE_PROJECT
from tests.support.servers import ServerProcess, free_port

SECURITY = REPO / "docs" / "security.md"
FAILURES = REPO / "docs" / "limits.md"
TESTED = {
    SECURITY: {
        "rebound-host-refused",
        "cross-origin-refused",
        "serve-with-a-front-end",
        "preflight-from-the-front-end",
        "serve-on-the-network",
    },
    FAILURES: {"deep-json-refused", "move-the-database-aside", "serve-with-a-smaller-idle-cap"},
}


def block(page: Path, name: str) -> str:
    return shell_blocks(page)[name]


def run(script: str, *, cwd: Path | None = None, **env: str) -> str:
    """The block's output; it must succeed."""
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("page", list(TESTED), ids=lambda page: page.name)
def test_every_shell_block_of_the_page_is_marked_and_these_are_tested_here(page: Path) -> None:
    assert unmarked_shell_blocks(page) == 0
    assert TESTED[page] <= set(shell_blocks(page))


class Background:
    """A block that starts the emulator, run in its own process group, stopped at the end."""

    def __init__(self, script: str, cwd: Path, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        bin_dir = str(Path(sys.executable).parent)
        self.process = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=cwd,
            env={
                **os.environ,
                "PATH": f"{bin_dir}:{os.environ['PATH']}",
                "FUNCTIONS_EMULATOR_PORT": str(self.port),
                "FUNCTIONS_EMULATOR_DB": str(tmp_path / "docs.db"),
                "FUNCTIONS_EMULATOR_NO_RELOAD": "1",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.stop()
            try:
                with urllib.request.urlopen(self.url + "/api/v1", timeout=1):
                    return
            except OSError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        out, _ = self.process.communicate(timeout=30)
        return out


@pytest.fixture
def background(tmp_path: Path) -> Iterator[Callable[[str, Path], Background]]:
    started: list[Background] = []

    def start(script: str, cwd: Path) -> Background:
        server = Background(script, cwd, tmp_path)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


def test_a_rebound_host_name_is_refused_as_the_page_shows(serve: Callable[..., ServerProcess]):
    server = serve(FIXTURE_PROJECTS / "api", "--no-reload")
    answer = json.loads(run(block(SECURITY, "rebound-host-refused"), APIHOST=server.url))
    assert answer["error"] == (
        "The host 'attacker.example' is not allowed: this emulator answers requests for this "
        "machine only (127.0.0.1, localhost, [::1] and its --host). Start it with "
        "--allowed-host attacker.example if that name is yours."
    )


def test_a_cross_origin_call_is_refused_as_the_page_shows(serve: Callable[..., ServerProcess]):
    server = serve(FIXTURE_PROJECTS / "api", "--no-reload")
    assert run(block(SECURITY, "cross-origin-refused"), APIHOST=server.url) == "403\n"


def test_a_front_end_let_in_gets_its_cors_grant(background: Callable[[str, Path], Background]):
    server = background(block(SECURITY, "serve-with-a-front-end"), FIXTURE_PROJECTS / "api")
    output = run(block(SECURITY, "preflight-from-the-front-end"), APIHOST=server.url)
    assert output.strip().lower() == "access-control-allow-origin: http://localhost:5173"


def test_serving_on_the_network_answers_the_allowed_name(
    background: Callable[[str, Path], Background],
) -> None:
    require(shutil.which("openssl") is not None, "openssl is missing")
    server = background(block(SECURITY, "serve-on-the-network"), FIXTURE_PROJECTS / "api")
    for host, status in ((f"my-laptop.local:{server.port}", 200), ("other.local", 403)):
        request = urllib.request.Request(server.url + "/api/v1", headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                got = response.status
        except urllib.error.HTTPError as error:
            got = error.code
            error.close()
        assert got == status, host
    assert "WARNING: listening on 0.0.0.0" in server.stop()


def test_deep_json_is_refused_as_the_page_shows(serve: Callable[..., ServerProcess]) -> None:
    server = serve(SAMPLE_PROJECT, "--no-reload")
    answer = json.loads(run(block(FAILURES, "deep-json-refused"), APIHOST=server.url))
    assert answer["error"] == (
        "The request content was malformed:\nJSON nested deeper than 128 levels"
    )


def test_a_database_moved_aside_lets_the_emulator_start(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECTS / "api", project, ignore=shutil.ignore_patterns(".emulator"))
    database = project / ".emulator" / "activations.db"
    database.parent.mkdir()
    database.write_bytes(b"no database at all" * 100)
    serve = [sys.executable, "-m", "emulator", "serve", str(project), "--no-reload"]
    refused = subprocess.run([*serve, "--port", str(free_port())], capture_output=True, text=True)
    assert refused.returncode == 1
    assert f"The database {database} is not an SQLite database" in refused.stderr

    run(block(FAILURES, "move-the-database-aside"), cwd=project)

    assert Path(f"{database}.broken").exists()
    port = free_port()
    server = ServerProcess(
        [str(project), "--no-reload", "--port", str(port)], dict(os.environ), port
    )
    try:
        server.wait_ready()
    finally:
        server.stop()


def test_the_idle_cap_is_set_and_shown_as_the_page_shows(
    background: Callable[[str, Path], Background],
) -> None:
    server = background(block(FAILURES, "serve-with-a-smaller-idle-cap"), FIXTURE_PROJECTS / "api")
    assert "Warm       up to 16 idle processes" in server.stop()
