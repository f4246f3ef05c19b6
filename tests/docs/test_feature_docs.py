"""The docs pages of replay, tests from activations, debugging, coverage and metrics: each
copyable shell block runs, exactly as written, and says what the page says it does."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.support.doc_blocks import (
    DOCS,
    assert_output,
    block,
    run_script,
    shell_blocks,
    user_environment,
)
from tests.support.paths import FIXTURE_PROJECTS, SAMPLE_PROJECT
from tests.support.servers import ServerProcess, free_port


def start_block(block: str, *, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start a block that runs until stopped (`serve`), its output on one pipe."""
    return subprocess.Popen(
        ["bash", "-c", f"exec {block.strip()}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the sample project, the one the pages' commands talk about."""
    copy = tmp_path / "sample-project"
    shutil.copytree(SAMPLE_PROJECT, copy, ignore=shutil.ignore_patterns(".emulator"))
    return copy


@pytest.fixture
def served(serve, sample: Path) -> tuple[Path, dict[str, str]]:
    """The sample served, and the environment in which the pages' commands find it."""
    server: ServerProcess = serve(sample)
    return sample, user_environment(FUNCTIONS_EMULATOR_PORT=str(server.port))


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_replay_page(served):
    folder, env = served
    blocks = shell_blocks(DOCS / "replay.md")
    assert set(blocks) == {"replay-newest", "replay-recorded"}

    newest = _ok(run_script(blocks["replay-newest"], cwd=folder, env=env))
    assert '"body": "Hello Ada!"' in newest
    assert "Replayed sample/hello (code: current)" in newest
    assert "Same status and result." in newest

    recorded = _ok(run_script(blocks["replay-recorded"], cwd=folder, env=env))
    assert "Replayed sample/hello (code: recorded)" in recorded
    assert "Same status and result." in recorded


def test_activations_as_tests_page(served):
    folder, env = served
    blocks = shell_blocks(DOCS / "activations-as-tests.md")
    assert set(blocks) == {"to-test"}

    output = _ok(run_script(blocks["to-test"], cwd=folder, env=env, timeout=300))

    assert "Wrote tests/test_hello_grace.py" in output
    assert "1 passed" in output
    written = (folder / "tests" / "test_hello_grace.py").read_text()
    # The page shows the file whole, with `…` for the activation's id and time.
    assert_output(block("to-test-output"), written)


def test_debugging_page_serve_blocks_start_with_the_debugger_on(sample: Path):
    blocks = shell_blocks(DOCS / "debugging.md")
    assert set(blocks) == {"serve-debug", "serve-debug-some", "debug-config"}
    expected = {
        "serve-debug": "Debug      every function, no timeouts",
        "serve-debug-some": "Debug      sample/hello, sample/hello-go, no timeouts",
    }
    for name, line in expected.items():
        env = user_environment(FUNCTIONS_EMULATOR_PORT=str(free_port()))
        server = start_block(blocks[name], cwd=sample, env=env)
        try:
            assert line in _read_until(server, "Press Ctrl-C to stop.")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.communicate(timeout=30)


def test_debugging_page_debug_config_prints_launch_entries(sample: Path):
    block = shell_blocks(DOCS / "debugging.md")["debug-config"]

    document = json.loads(_ok(run_script(block, cwd=sample, env=user_environment())))

    names = [c["name"] for c in document["configurations"]]
    assert names == [
        "functions-emulator: Python (debugpy)",
        "functions-emulator: Node.js (inspector)",
        "functions-emulator: Go sample/hello-go (Delve)",
        "functions-emulator: PHP (listen for Xdebug)",
    ]


def _read_until(process: subprocess.Popen[str], text: str, seconds: float = 60) -> str:
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + seconds
    while text not in seen:
        line = process.stdout.readline()
        assert line and time.monotonic() < deadline, f"no {text!r} in:\n{seen}"
        seen += line
    return seen


USER_TESTS = """
def test_add(functions_emulator):
    assert functions_emulator.invoke("calc/add", {"a": 1, "b": 2}).result["sum"] == 3


def test_double(functions_emulator):
    assert functions_emulator.invoke("calc/double", {"n": 4}).result == {"doubled": 8}
"""


def test_coverage_page(tmp_path: Path):
    project = tmp_path / "calc"
    shutil.copytree(FIXTURE_PROJECTS / "replay", project)
    (project / "tests").mkdir()
    (project / "tests" / "test_calc.py").write_text(USER_TESTS)
    (project / "pytest.ini").write_text(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = ignore::coverage.exceptions.CoverageWarning\n"
    )
    blocks = shell_blocks(DOCS / "coverage.md")
    assert set(blocks) == {"coverage-alone", "coverage-with-pytest-cov"}
    env = user_environment()

    alone = _ok(run_script(blocks["coverage-alone"], cwd=project, env=env))
    assert "functions_emulator coverage: Python functions" in alone
    assert "packages/calc/add.py       6      1    83%   3" in alone
    assert "packages/calc/double.js      7     2    71%  3, 4" in alone

    joined = _ok(run_script(blocks["coverage-with-pytest-cov"], cwd=project, env=env))
    assert "functions_emulator coverage: Python functions" not in joined
    assert "packages/calc/add.py       6      1    83%   3" in joined

    # The ini option instead of the flag: the same report from a plain `pytest`.
    ini = (project / "pytest.ini").read_text() + block("coverage-ini").text.removeprefix(
        "[pytest]\n"
    )
    (project / "pytest.ini").write_text(ini)
    plain = _ok(run_script("pytest", cwd=project, env=env))
    assert "packages/calc/add.py       6      1    83%   3" in plain


def test_metrics_page(served):
    folder, env = served
    block = shell_blocks(DOCS / "metrics.md")["metrics"]
    _ok(run_script("functions-emulator invoke sample/hello -p name:Ada", cwd=folder, env=env))

    output = _ok(run_script(block, cwd=folder, env=env))

    assert (
        'functions_emulator_activations_total{function="sample/hello",status="success"} 1.0'
        in output
    )
    assert 'functions_emulator_starts_total{function="sample/hello",start="cold"} 1.0' in output


def test_the_scrape_config_on_the_metrics_page_reads_the_metrics(serve, sample: Path):
    server: ServerProcess = serve(sample)
    config = yaml.safe_load(block("metrics-scrape-config").text)
    [job] = config["scrape_configs"]
    assert job["static_configs"] == [{"targets": ["127.0.0.1:3233"]}]
    auth = job["basic_auth"]
    # What Prometheus sends for that job, to this server's port instead of the default one.
    token = base64.b64encode(f"{auth['username']}:{auth['password']}".encode()).decode()
    request = urllib.request.Request(
        f"{server.url}/metrics", headers={"Authorization": f"Basic {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert "functions_emulator_warm_processes" in response.read().decode()
