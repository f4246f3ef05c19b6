"""Scenario 8: resident memory of the emulator idle with the sample project, and of one warm
process per runtime."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from harness import (
    SAMPLE_PROJECT,
    Runtime,
    action_endpoint,
    descendants,
    emulator,
    rss_kb,
    settle,
    warm_up,
)
from outcome import Outcome
from report import Figure, at_most

SCENARIO = "8 memory (RSS)"
# A clean clone builds the sample's directory functions on the first start.
START_TIMEOUT = 300.0
TARGETS = {"python": 15.0}
# A prelaunched process not yet given a function: a generic launcher waiting in "/".
GENERIC_LAUNCHERS = ("python_launcher.py", "node_launcher.js")


def is_spare(pid: int) -> bool:
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
        command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return cwd == "/" and any(shim in command for shim in GENERIC_LAUNCHERS)


def functions_processes(pid: int) -> set[int]:
    """The processes below `pid` that run a function (not the spares kept for cold starts)."""
    return {child for child in descendants(pid) if not is_spare(child)}


def megabytes(pids: set[int] | list[int]) -> float | None:
    sizes = [size for size in (rss_kb(pid) for pid in pids) if size is not None]
    return sum(sizes) / 1024 if sizes else None


async def measure(workdir: Path, runtimes: Sequence[Runtime]) -> Outcome:
    """Serve the sample project in place (records in `workdir`); once its start-up work is
    over, the emulator's own RSS; then, per runtime, the processes its first calls started."""
    outcome = Outcome()
    async with emulator(workdir, SAMPLE_PROJECT, start_timeout=START_TIMEOUT) as served:
        if not await settle(served.process.pid):
            outcome.notes.append("8: the emulator's start-up work was still running")
        pid = served.process.pid
        idle = megabytes([pid])
        others = descendants(pid)
        outcome.figures += [
            Figure(SCENARIO, "emulator idle", idle, "MB", at_most(60)),
            Figure(SCENARIO, "its children idle, together", megabytes(others) or 0.0, "MB"),
        ]
        counted = functions_processes(pid)
        for runtime in runtimes:
            await warm_up(action_endpoint(served.url, runtime.function))
            # A first call may take a prelaunched spare (which then loads the function) and
            # start another spare: the function's process is the one that is no spare.
            started = functions_processes(pid) - counted
            counted |= started
            target = TARGETS.get(runtime.name)
            outcome.figures.append(
                Figure(
                    SCENARIO,
                    f"warm {runtime.name} process",
                    megabytes(started),
                    "MB",
                    at_most(target) if target else None,
                    note="" if started else "no new process seen",
                )
            )
    outcome.notes.append(
        "8: VmRSS from /proc. Idle: the `serve` process of sample-project/ once its child "
        "processes have stayed the same for half a second. Warm process: every process running "
        "a function (not a prelaunched spare) that appeared below it during a runtime's first "
        "10 calls to its hello, summed."
    )
    return outcome
