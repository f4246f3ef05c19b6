"""The README's set-up commands, run as a reader runs them in this checkout: `make serve`
serves the sample project, `make test` lints, type-checks and tests, and the virtualenv that
`make serve` made serves a project of one's own."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.support.ci import require
from tests.support.doc_blocks import block, foreground, run_script, shell_lines, user_environment
from tests.support.paths import FIXTURE_PROJECTS, REPO, SAMPLE_PROJECT
from tests.support.servers import free_port

VENV = REPO / ".venv"
# What the inner `make test` tests: a quick module, not the whole suite again (this test is
# part of it).
INNER_PYTEST_ARGS = "-q -p no:cacheprovider tests/test_architecture.py"


def require_the_checkouts_venv() -> None:
    """The make targets use .venv: only when it runs this suite do they test this tree."""
    require(
        Path(sys.prefix).resolve() == VENV.resolve(),
        f"the suite runs under {sys.prefix}, not this checkout's {VENV}",
    )


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_make_serve_serves_the_sample_and_make_test_checks_the_tree(tmp_path: Path):
    require_the_checkouts_venv()
    serve, test = shell_lines(block("readme-make").text)
    assert (serve, test) == ("make serve", "make test")
    port = free_port()
    # Where `make serve` listens and keeps its records: its FUNCTIONS_EMULATOR_* variables.
    env = user_environment(
        FUNCTIONS_EMULATOR_PORT=str(port),
        FUNCTIONS_EMULATOR_DB=str(tmp_path / "activations.db"),
        PYTEST_ARGS=INNER_PYTEST_ARGS,
    )
    with foreground(serve, cwd=REPO, env=env) as served:
        served.wait_ready(f"http://127.0.0.1:{port}")
    assert f"serving {SAMPLE_PROJECT.resolve() / 'project.yml'}" in served.output
    assert "  sample/hello " in served.output

    checked = run_script(test, cwd=REPO, env=env, timeout=540)
    out = checked.stdout + checked.stderr
    assert checked.returncode == 0, out
    assert "All checks passed!" in out  # ruff check
    assert "files already formatted" in out  # ruff format --check
    assert "Success: no issues found" in out  # mypy
    assert " passed" in out and "failed" not in out  # pytest


@pytest.mark.timeout(120)
def test_the_virtualenv_serves_a_project_of_ones_own(tmp_path: Path):
    require_the_checkouts_venv()
    home = tmp_path / "home"
    project = shutil.copytree(FIXTURE_PROJECTS / "api", home / "my-functions-project")
    port = free_port()
    env = user_environment(
        HOME=str(home),
        FUNCTIONS_EMULATOR_PORT=str(port),
        FUNCTIONS_EMULATOR_DB=str(tmp_path / "activations.db"),
    )
    with foreground(block("readme-own-project").text, cwd=REPO, env=env) as served:
        served.wait_ready(f"http://127.0.0.1:{port}")
    assert f"serving {project / 'project.yml'}" in served.output
    assert "  demo/hello " in served.output
