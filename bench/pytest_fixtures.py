"""Scenario 12: what the pytest plugin's fixtures cost a test suite. In a one-function project,
one file of tests on `functions_emulator_fresh` (an emulator per test) and one of tests on
`functions_emulator` (one per session), each test invoking the function, each file run by
pytest in a process of its own: the fresh fixture's set-up per test, and the whole session
file's duration."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from outcome import Outcome
from report import Figure, at_most

SCENARIO = "12 pytest plugin fixtures"
FRESH_TARGET_MS = 100.0
SESSION_TARGET_S = 1.5
TIMEOUT = 600
TIMINGS = "BENCH_SETUP_TIMINGS"

FUNCTION = """def main(args):
    return {"body": "ok"}
"""
# A plugin of the run's own: every phase of every test, one JSON line each, into $BENCH_...
CONFTEST = f'''import json
import os


def pytest_runtest_logreport(report):
    with open(os.environ["{TIMINGS}"], "a") as timings:
        line = {{"test": report.nodeid, "when": report.when, "duration": report.duration}}
        timings.write(json.dumps(line) + "\\n")
'''
TESTS = """import pytest


@pytest.mark.parametrize("n", range({count}))
def test_invoke(n, {fixture}):
    assert {fixture}.invoke("p/f", {{}}).result == {{"body": "ok"}}
"""


@dataclass(frozen=True, slots=True)
class Run:
    """One pytest run: each phase's times (setup, call, teardown: seconds, in test order),
    pytest's own duration and the command's wall time."""

    phases: dict[str, list[float]]
    duration: float | None
    wall: float

    def median_ms(self, phase: str, skip: int = 0) -> float | None:
        """The median of `phase`'s times after the first `skip` tests, in ms."""
        times = self.phases.get(phase, [])[skip:]
        return statistics.median(times) * 1000 if times else None


def write_project(folder: Path, fresh: int, session: int) -> Path:
    (folder / "packages" / "p").mkdir(parents=True)
    (folder / "packages" / "p" / "f.py").write_text(FUNCTION)
    # An ini file of its own: pytest's rootdir is the project, whatever lies above it.
    (folder / "pytest.ini").write_text("[pytest]\n")
    tests = folder / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text(CONFTEST)
    fixture = "functions_emulator_fresh"
    (tests / "test_fresh.py").write_text(TESTS.format(count=fresh, fixture=fixture))
    fixture = "functions_emulator"
    (tests / "test_session.py").write_text(TESTS.format(count=session, fixture=fixture))
    return folder


def run_pytest(project: Path, test_file: str) -> Run:
    timings = project / f"{test_file}.timings"
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests/{test_file}"]
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        cwd=project,
        env={**os.environ, TIMINGS: str(timings)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"pytest {test_file}: exit {done.returncode}\n{done.stdout[-2000:]}")
    # pytest -q ends on "N passed in 1.23s" (or "… in 61.03s (0:01:01)").
    found = re.search(r"passed in ([\d.]+)s", done.stdout)
    phases: dict[str, list[float]] = {}
    for line in timings.read_text().splitlines():
        report = json.loads(line)
        phases.setdefault(report["when"], []).append(report["duration"])
    return Run(phases, float(found.group(1)) if found else None, wall)


async def measure(workdir: Path, fresh: int, session: int) -> Outcome:
    outcome = Outcome()
    project = write_project(workdir / "pytest-project", fresh, session)
    fresh_run: Run | None = None
    session_run: Run | None = None
    try:
        fresh_run = run_pytest(project, "test_fresh.py")
        session_run = run_pytest(project, "test_session.py")
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        outcome.failures.append(f"12: {error}")

    def fresh_phase(phase: str, skip: int = 0) -> float | None:
        return fresh_run.median_ms(phase, skip) if fresh_run else None

    outcome.figures += [
        Figure(
            SCENARIO,
            "functions_emulator_fresh set-up per test",
            fresh_phase("setup", 1),
            "ms",
            at_most(FRESH_TARGET_MS),
            note="" if fresh > 1 else "needs two tests or more",
        ),
        Figure(SCENARIO, "functions_emulator_fresh first set-up", fresh_phase("setup"), "ms"),
        Figure(
            SCENARIO, "functions_emulator_fresh teardown per test", fresh_phase("teardown", 1), "ms"
        ),
        Figure(
            SCENARIO,
            "functions_emulator_fresh test's call (a cold start)",
            fresh_phase("call", 1),
            "ms",
        ),
        Figure(
            SCENARIO,
            f"{session} tests on functions_emulator, pytest's time",
            session_run.duration if session_run else None,
            "s",
            at_most(SESSION_TARGET_S),
        ),
        Figure(
            SCENARIO,
            f"{session} tests on functions_emulator, command's wall time",
            session_run.wall if session_run else None,
            "s",
        ),
    ]
    outcome.notes.append(
        f"12: a project of one Python function p/f; tests/test_fresh.py holds {fresh} tests on "
        f"`functions_emulator_fresh`, tests/test_session.py {session} on `functions_emulator`, "
        'each `assert fixture.invoke("p/f", {}).result == {"body": "ok"}`; each file run alone '
        "by `.venv/bin/python -m pytest -q -p no:cacheprovider FILE` in the project (the "
        "plugin from its pytest11 entry point, the project found from pytest's rootdir). "
        "Set-up, teardown and call per test: medians over the fresh tests after the first "
        "(shown apart: it also sets up what the plugin shares across the session), from a "
        "conftest hook on pytest_runtest_logreport; "
        "the fresh fixture starts its emulator in the test's process and the function's "
        "process at the first invoke, so each fresh test's call is a cold start. "
        "pytest's time: the duration its last line reports (collection and every test's "
        "set-up, call and teardown); wall time: the whole command, interpreter start included."
    )
    return outcome
