"""Per-runtime benchmark: cold and warm blocking invokes of the sample greeting functions.

Prints figures and never asserts on them; exits non-zero only when an invoke failed.

    .venv/bin/python bench/runtimes.py [--cold-runs 5] [--requests 500] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from harness import (
    SAMPLE_PROJECT,
    WARMUP_CALLS,
    Failing,
    Machine,
    Scenario,
    emulator,
    invoke,
    new_session,
    print_failures,
    run_scenario,
)

from emulator.invoker.launchers.golang import go_candidates, probe_go

FUNCTIONS = ("sample/hello", "sample/hello-node", "sample/hello-go", "sample/hello-php")
ACTIONS_PATH = "/api/v1/namespaces/_/actions/"
ACTIVATIONS_PATH = "/api/v1/namespaces/_/activations/"
# Build outputs and the emulator's state: without them the copy has nothing cached.
NOT_COPIED = (".emulator", "node_modules", "virtualenv")
# A fresh copy is built before the emulator answers: npm install and a pip install.
START_TIMEOUT = 300.0
SETTLE_TIMEOUT = 120.0


def greets_bench(result: object) -> bool:
    return isinstance(result, dict) and str(result.get("body", "")).startswith("Hello bench")


@dataclass(slots=True)
class ColdStarts:
    """The first invoke of one function, once per fresh emulator: latencies in seconds."""

    function: str
    kind: str = "?"
    latencies: list[float] = field(default_factory=list)
    init_ms: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"cold {self.function}"

    def summary(self) -> dict[str, Any]:
        return {
            "runs": len(self.latencies),
            "failures": len(self.failures),
            "p50_ms": round(statistics.median(self.latencies) * 1000, 2),
            "max_ms": round(max(self.latencies) * 1000, 2),
            "init_p50_ms": statistics.median(self.init_ms) if self.init_ms else None,
            "latencies_ms": [round(latency * 1000, 2) for latency in self.latencies],
            "init_ms": self.init_ms,
        }


@dataclass(frozen=True, slots=True)
class Results:
    cold: list[ColdStarts]
    warm_ups: list[Scenario]
    warm: list[Scenario]
    notes: list[str]


def fresh_copy(workdir: Path) -> Path:
    """The sample project without anything a previous build or run left in it."""
    return Path(
        shutil.copytree(
            SAMPLE_PROJECT, workdir / "project", ignore=shutil.ignore_patterns(*NOT_COPIED)
        )
    )


async def settle(process: subprocess.Popen[bytes]) -> bool:
    """Wait until the emulator has no child process: its start-up work (the Go warm-up) is
    over. False if one was still running after SETTLE_TIMEOUT."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        try:
            probe = await asyncio.create_subprocess_exec(
                "pgrep", "-P", str(process.pid), stdout=asyncio.subprocess.DEVNULL
            )
        except FileNotFoundError:
            raise RuntimeError("pgrep (procps) is needed to see the emulator's children") from None
        status = await probe.wait()
        if status == 1:  # no process matched
            return True
        if status != 0:
            raise RuntimeError(f"pgrep -P {process.pid} failed with status {status}")
        await asyncio.sleep(0.05)
    return False


def annotation(record: Any, key: str) -> Any:
    """An annotation of an activation record; None when it has none by that key."""
    values = (item.get("value") for item in record.get("annotations", []) if item.get("key") == key)
    return next(values, None)


async def cold_start(
    session: aiohttp.ClientSession, base_url: str, starts: ColdStarts, run: int
) -> None:
    """The function's first invoke, then its record's initTime."""
    answer = await invoke(session, base_url + ACTIONS_PATH + starts.function, greets_bench)
    starts.latencies.append(answer.latency)
    failure = answer.failure
    if failure is None:
        failure = await read_record(session, base_url, answer.activation_id, starts)
    if failure is not None:
        starts.failures.append(f"run {run}: {failure}")


async def read_record(
    session: aiohttp.ClientSession, base_url: str, activation_id: str | None, starts: ColdStarts
) -> str | None:
    """Keep the activation's initTime and kind; what is wrong with the record, if anything."""
    if activation_id is None:
        return "no x-openwhisk-activation-id header"
    async with session.get(base_url + ACTIVATIONS_PATH + activation_id) as response:
        if response.status != 200:
            return f"activation {activation_id}: HTTP {response.status}"
        record = await response.json()
    starts.kind = str(annotation(record, "kind") or starts.kind)
    init_ms = annotation(record, "initTime")
    if not isinstance(init_ms, int):
        return f"activation {activation_id} has no initTime: not a cold start"
    starts.init_ms.append(init_ms)
    return None


async def cold_run(base_url: str, cold: list[ColdStarts], run: int) -> None:
    """One cold start of each function, in an order that rotates from run to run."""
    shift = (run - 1) % len(cold)
    async with new_session() as session:
        # The keep-alive connection is opened here, not inside the first timed invoke.
        async with session.get(base_url + "/api/v1") as response:
            await response.read()
        for starts in cold[shift:] + cold[:shift]:
            await cold_start(session, base_url, starts, run)


async def warm(base_url: str, requests: int) -> tuple[list[Scenario], list[Scenario]]:
    """Each function's warm-up, then its sequential warm invokes."""
    warm_ups: list[Scenario] = []
    scenarios: list[Scenario] = []
    for function in FUNCTIONS:
        url = base_url + ACTIONS_PATH + function
        warm_ups.append(
            await run_scenario(f"warm-up {function}", url, WARMUP_CALLS, 1, greets_bench)
        )
        scenarios.append(await run_scenario(f"warm {function}", url, requests, 1, greets_bench))
    return warm_ups, scenarios


async def measure(cold_runs: int, requests: int, workdir: Path) -> Results:
    """`cold_runs` fresh copies and emulators; the last one also serves the warm invokes."""
    cold = [ColdStarts(function) for function in FUNCTIONS]
    warm_ups: list[Scenario] = []
    scenarios: list[Scenario] = []
    notes: list[str] = []
    for run in range(1, cold_runs + 1):
        rundir = workdir / f"run-{run}"
        rundir.mkdir()
        project = fresh_copy(rundir)
        async with emulator(rundir, project, start_timeout=START_TIMEOUT) as served:
            if not await settle(served.process):
                notes.append(f"run {run}: the emulator's start-up work was still running")
            await cold_run(served.url, cold, run)
            if run == cold_runs:
                warm_ups, scenarios = await warm(served.url, requests)
    return Results(cold, warm_ups, scenarios, notes)


def go_cache_note() -> str:
    for candidate in go_candidates(os.environ.get("FUNCTIONS_EMULATOR_GO")):
        toolchain = probe_go(candidate)
        if toolchain is not None:
            return (
                f"Go: built on the first invoke with the user's own build cache "
                f"({toolchain.build_cache}), shared with their other Go work and warm, as the "
                "emulator is designed for: a cold start pays for the function's binary, not "
                "for the standard library (an empty cache pays for that once)."
            )
    return "Go: no toolchain found."


def describe(cold_runs: int, requests: int) -> list[str]:
    return [
        f"cold: the first blocking invoke of each function, {cold_runs} run(s), each on a fresh "
        "emulator serving a fresh copy of sample-project/ (no .emulator/, node_modules/ or "
        "virtualenv/), timed once its builds and Go warm-up were done; init is the "
        "activation's initTime annotation.",
        f"warm: {requests} sequential blocking invokes per function after {WARMUP_CALLS} "
        "warm-up calls, one keep-alive client, on the last run's emulator.",
        go_cache_note(),
    ]


def print_table(rows: list[dict[str, Any]], machine: Machine, notes: list[str]) -> None:
    header = (
        f"{'function':<18} {'kind':<12} {'cold p50 ms':>12} {'cold max ms':>12}"
        f" {'init p50 ms':>12} {'warm p50 ms':>12} {'warm p99 ms':>12} {'invokes/s':>10}"
    )
    print(machine.line())
    for note in notes:
        print(textwrap.fill(note, width=len(header), subsequent_indent="  "))
    print(header)
    print("-" * len(header))
    for row in rows:
        cold, warm = row["cold"], row["warm"]
        init = "-" if cold["init_p50_ms"] is None else f"{cold['init_p50_ms']:.1f}"
        print(
            f"{row['function']:<18} {row['kind']:<12} {cold['p50_ms']:>12.2f}"
            f" {cold['max_ms']:>12.2f} {init:>12} {warm['p50_ms']:>12.2f}"
            f" {warm['p99_ms']:>12.2f} {warm['invokes_per_s']:>10.1f}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh emulators to time")
    parser.add_argument("--requests", type=int, default=500, help="warm invokes per function")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.cold_runs < 1 or args.requests < 1:
        parser.error("--cold-runs and --requests must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine = Machine.describe()
    with tempfile.TemporaryDirectory(prefix="runtimes-") as workdir:
        results = asyncio.run(measure(args.cold_runs, args.requests, Path(workdir)))
    rows = [
        {"function": cold.function, "kind": cold.kind, "cold": cold.summary(), "warm": w.summary()}
        for cold, w in zip(results.cold, results.warm, strict=True)
    ]
    notes = describe(args.cold_runs, args.requests) + results.notes
    print_table(rows, machine, notes)
    if args.json:
        report = {"machine": asdict(machine), "notes": notes, "functions": rows}
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    failing: list[Failing] = [*results.cold, *results.warm_ups, *results.warm]
    failed = print_failures(failing)
    return 1 if failed else 0


if __name__ == "__main__":
    # A plain `kill` must also reach the finally blocks that stop the emulator.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
