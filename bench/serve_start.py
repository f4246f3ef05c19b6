"""Scenario 9: `functions-emulator serve` from its start to the API's first answer, with the
builds already cached: a one-function Python project and the sample project, against the least
an aiohttp server can be (bench/peers/minimal_aiohttp.py), started and polled the same way."""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from harness import REPO, SAMPLE_PACKAGE, SAMPLE_PROJECT, free_port, stop
from outcome import Outcome
from report import Figure, at_most, at_most_times

SCENARIO = "9 serve start to API answer"
MINIMAL = "minimal aiohttp app"
MINIMAL_APP = Path(__file__).resolve().parent / "peers" / "minimal_aiohttp.py"
CONSOLE_SCRIPT = Path(sys.executable).parent / "functions-emulator"
POLL = 0.005
# The first serve of a clean clone builds the sample's directory functions.
FIRST_TIMEOUT = 300.0
TIMEOUT = 60.0
ONE_FUNCTION_TARGET = {MINIMAL: 1.3}
SAMPLE_TARGET_S = 0.6


@dataclass(frozen=True, slots=True)
class Subject:
    """One server to start: its name, and its command once given a port."""

    name: str
    argv: Sequence[str]

    def command(self, port: int) -> list[str]:
        return [part.replace("{port}", str(port)) for part in self.argv]


async def time_to_answer(subject: Subject, log: Path, timeout: float) -> float:
    """Seconds from Popen to the first 200 from `GET /api/v1`; the server is stopped after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1"
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        with log.open("wb") as out:
            started = time.perf_counter()
            process = subprocess.Popen(
                subject.command(port), stdout=out, stderr=subprocess.STDOUT, cwd=REPO
            )
        try:
            while time.perf_counter() - started < timeout:
                if process.poll() is not None:
                    raise RuntimeError(f"{subject.name} exited early:\n{log.read_text()}")
                try:
                    async with session.get(url) as response:
                        if response.status == 200:
                            return time.perf_counter() - started
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(POLL)
        finally:
            stop(process)
    raise RuntimeError(f"{subject.name} did not answer within {timeout:.0f} s:\n{log.read_text()}")


def one_function_project(workdir: Path) -> Path:
    package = workdir / "one-function" / "packages" / "sample"
    package.mkdir(parents=True)
    shutil.copy2(SAMPLE_PACKAGE / "hello.py", package / "hello.py")
    return package.parent.parent


def emulator_subject(name: str, project: Path, db: Path) -> Subject:
    # The console script a user runs; the records in the run's folder, not the project's.
    return Subject(
        name, [str(CONSOLE_SCRIPT), "serve", str(project), "--port", "{port}", "--db", str(db)]
    )


async def measure(workdir: Path, runs: int) -> Outcome:
    outcome = Outcome()
    if not CONSOLE_SCRIPT.exists():
        outcome.notes.append(f"9: not measured: no console script at {CONSOLE_SCRIPT}")
        return outcome
    minimal = Subject(MINIMAL, [sys.executable, str(MINIMAL_APP), "{port}"])
    one = emulator_subject("one-function", one_function_project(workdir), workdir / "one.db")
    sample = emulator_subject("sample", SAMPLE_PROJECT, workdir / "sample.db")
    subjects = (minimal, one, sample)
    times: dict[str, list[float]] = {subject.name: [] for subject in subjects}
    try:
        # Once each first, untimed: the builds are cached, the databases made, the files read.
        for subject in subjects:
            await time_to_answer(subject, workdir / f"{subject.name}-first.log", FIRST_TIMEOUT)
        # Interleaved, so that each server meets the same moments of the machine.
        for run in range(runs):
            for subject in subjects:
                log = workdir / f"{subject.name}-{run}.log"
                times[subject.name].append(await time_to_answer(subject, log, TIMEOUT))
    except RuntimeError as error:
        outcome.failures.append(f"9: {error}")
    medians = {name: statistics.median(found) if found else None for name, found in times.items()}
    theirs = ((MINIMAL, medians[MINIMAL]),)
    outcome.figures += [
        Figure(
            SCENARIO,
            "one-function Python project",
            medians["one-function"],
            "s",
            at_most_times(ONE_FUNCTION_TARGET),
            theirs,
        ),
        Figure(
            SCENARIO,
            "sample project (12 functions, 4 languages)",
            medians["sample"],
            "s",
            at_most(SAMPLE_TARGET_S),
            theirs,
        ),
    ]
    outcome.notes.append(
        f"9: median of {runs} run(s) each, interleaved, after one untimed start each (builds "
        "cached): from Popen of `.venv/bin/functions-emulator serve PROJECT --port P --db "
        "FILE` to the first 200 from `GET /api/v1`, polled every "
        f"{POLL * 1000:.0f} ms on a new connection; the one-function project is sample/hello "
        "alone (inferred from packages/), the sample project is sample-project/ in place. "
        f"The {MINIMAL} is bench/peers/minimal_aiohttp.py (one route, `web.run_app`) on the "
        "same interpreter, polled the same way."
    )
    return outcome
