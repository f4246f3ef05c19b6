"""`pytest --functions-emulator-cov`: the lines a user's tests ran in the project's Python and
Node.js functions, reported by their path in the project, alone or in pytest-cov's report."""

from __future__ import annotations

import importlib.util

import pytest

from tests.support.ci import require
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.pytester_runs import QUICK

SOURCES = FIXTURE_PROJECTS / "replay"
USER_TESTS = """
def test_add(functions_emulator):
    assert functions_emulator.invoke("calc/add", {"a": 1, "b": 2}).result["sum"] == 3


def test_double(functions_emulator):
    assert functions_emulator.invoke("calc/double", {"n": 4}).result == {"doubled": 8}
"""
INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


@pytest.fixture
def measured_project(pytester: pytest.Pytester) -> pytest.Pytester:
    for path in SOURCES.rglob("*"):
        if path.is_file():
            target = pytester.path / path.relative_to(SOURCES)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text())
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_calc.py").write_text(USER_TESTS)
    (pytester.path / "pytest.ini").write_text(INI)
    return pytester


def _row(output: str, name: str) -> list[str]:
    rows = [line.split() for line in output.splitlines() if line.startswith(name + " ")]
    assert rows, f"no row for {name} in:\n{output}"
    return rows[-1]


def test_the_option_alone_reports_the_python_and_node_lines_the_tests_ran(
    measured_project: pytest.Pytester,
):
    result = measured_project.runpytest_subprocess(
        *QUICK, "-p", "no:pytest_cov", "--functions-emulator-cov", "tests"
    )

    result.assert_outcomes(passed=2)
    output = result.stdout.str()
    assert "functions_emulator coverage: Python functions" in output
    # add.py: six statements; the tests never pass a bad `a`, so line 3 (the raise) never ran.
    assert _row(output, "packages/calc/add.py") == ["packages/calc/add.py", "6", "1", "83%", "3"]
    assert "functions_emulator coverage: Node.js functions" in output
    # double.js: the `n` is a number, so the early return (and its block's end) never ran.
    node = _row(output, "packages/calc/double.js")
    assert node[:4] == ["packages/calc/double.js", "7", "2", "71%"]
    assert node[4:] == ["3,", "4"]


def test_with_pytest_cov_the_python_lines_join_its_report(measured_project: pytest.Pytester):
    require(importlib.util.find_spec("pytest_cov") is not None, "pytest-cov is missing")
    result = measured_project.runpytest_subprocess(
        *QUICK,
        "--functions-emulator-cov",
        "--cov=packages",
        "--cov-report=term-missing",
        "-W",
        "ignore::coverage.exceptions.CoverageWarning",
        "tests",
    )

    result.assert_outcomes(passed=2)
    output = result.stdout.str()
    assert "functions_emulator coverage: Python functions" not in output
    assert _row(output, "packages/calc/add.py") == ["packages/calc/add.py", "6", "1", "83%", "3"]
    assert _row(output, "packages/calc/double.js")[3] == "71%"
