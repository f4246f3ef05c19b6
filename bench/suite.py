"""The benchmark suite: every scenario against the real emulator, the peers side by
side, one table on stdout and bench/RESULTS.md. Figures, not tests: it never asserts on them,
and exits non-zero only when a request failed.

    .venv/bin/python bench/suite.py [--quick] [--no-peers] [--results FILE] [counts...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import cli_start
import code_change
import fan_out
import go_first_call
import memory
import peers
import pytest_fixtures
import serve_start
import store_scale
import warm_invoke
from harness import RUNTIMES, Machine, Runtime, bench_project, emulator, settle, throttles_off
from outcome import Outcome
from report import Figure, markdown, table

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS.md"


@dataclass(frozen=True, slots=True)
class Counts:
    requests: int
    concurrent: int
    clients: int
    web: int
    cold_runs: int
    reload_runs: int
    fan_out: int
    fan_out_clients: int
    fan_out_seconds: int
    store_records: int
    store_inserts: int
    store_reads: int
    serve_runs: int
    cli_runs: int
    fresh_tests: int
    session_tests: int


DEFAULTS = Counts(500, 1000, 16, 300, 5, 5, 10_000, 32, 60, 1_000_000, 20_000, 200, 5, 10, 20, 100)
QUICK = Counts(10, 20, 2, 10, 1, 1, 40, 4, 10, 2_000, 200, 10, 1, 2, 3, 10)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="tiny counts: proves it runs")
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="skip functions-framework, serverless-offline and aio app dev",
    )
    parser.add_argument(
        "--runtimes",
        default=",".join(r.name for r in RUNTIMES),
        help="comma-separated runtimes for the per-runtime scenarios",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        metavar="FILE",
        help="where to write the Markdown results",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    for name, default in asdict(DEFAULTS).items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            metavar="N",
            help=f"default {default:,} ({asdict(QUICK)[name]} with --quick)",
        )
    args = parser.parse_args(argv)
    chosen = set(args.runtimes.split(","))
    unknown = chosen - {runtime.name for runtime in RUNTIMES}
    if unknown or not chosen:
        parser.error(f"--runtimes: unknown {', '.join(sorted(unknown))}")
    base = asdict(QUICK if args.quick else DEFAULTS)
    given = {name: getattr(args, name) for name in base if getattr(args, name) is not None}
    if any(value < 1 for value in given.values()):
        parser.error("counts must be at least 1")
    args.counts = Counts(**{**base, **given})
    args.chosen = [runtime for runtime in RUNTIMES if runtime.name in chosen]
    return args


class Stopwatch:
    """Where the run's time went, for the notes: the suite has a time budget too."""

    def __init__(self) -> None:
        self.laps: list[str] = []
        self._last = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        self.laps.append(f"{what} {now - self._last:.1f}")
        self._last = now

    def note(self) -> str:
        return f"Seconds spent: {', '.join(self.laps)}."


async def measure(
    counts: Counts, runtimes: list[Runtime], with_peers: bool, workdir: Path
) -> Outcome:
    outcome = Outcome()
    stopwatch = Stopwatch()
    for part in ("peers", "main", "memory", "serve-start", "go", "pytest"):
        (workdir / part).mkdir()
    peer_samples, peer_outcome = await peers.measure(
        workdir / "peers",
        counts.requests,
        counts.concurrent,
        counts.clients,
        counts.web,
        with_peers,
    )
    outcome.merge(peer_outcome)
    stopwatch.lap("peers")
    prepared = await store_scale.prepare(
        workdir / "main" / "activations.db",
        counts.store_records,
        counts.store_inserts,
        counts.store_reads,
    )
    stopwatch.lap("6 (store)")
    project = bench_project(workdir / "main")
    package = project / "packages" / "sample"
    async with emulator(workdir / "main", project, db=prepared.path) as served:
        await settle(served.process.pid)
        stopwatch.lap("start")
        outcome.merge(
            await store_scale.measure(served, prepared, counts.store_inserts, counts.store_reads)
        )
        stopwatch.lap("6 (HTTP)")
        outcome.merge(await cli_start.measure(served, workdir / "main", counts.cli_runs))
        stopwatch.lap("10")
        warm_counts = warm_invoke.Counts(
            counts.requests, counts.concurrent, counts.clients, counts.web
        )
        outcome.merge(await warm_invoke.measure(served, runtimes, warm_counts, peer_samples))
        stopwatch.lap("1-3")
        outcome.merge(await code_change.cold_starts(served, package, runtimes, counts.cold_runs))
        stopwatch.lap("4")
        outcome.merge(await code_change.hot_reloads(served, package, runtimes, counts.reload_runs))
        stopwatch.lap("7")
        outcome.merge(
            await fan_out.measure(
                served,
                RUNTIMES[0],
                counts.fan_out,
                counts.fan_out_clients,
                counts.fan_out_seconds,
            )
        )
        stopwatch.lap("5")
    outcome.merge(await memory.measure(workdir / "memory", runtimes))
    stopwatch.lap("8")
    outcome.merge(await serve_start.measure(workdir / "serve-start", counts.serve_runs))
    stopwatch.lap("9")
    if any(runtime.name == "go" for runtime in runtimes):
        outcome.merge(await go_first_call.measure(workdir / "go"))
        stopwatch.lap("11")
    else:
        outcome.notes.append("11: skipped (go is not among --runtimes)")
    outcome.merge(
        await pytest_fixtures.measure(workdir / "pytest", counts.fresh_tests, counts.session_tests)
    )
    stopwatch.lap("12")
    outcome.notes.append(stopwatch.note())
    return outcome


def scenario_number(figure: Figure) -> int:
    match = re.match(r"\d+", figure.scenario)
    return int(match.group()) if match else 0


def command_line(argv: list[str] | None) -> str:
    args = sys.argv[1:] if argv is None else argv
    return " ".join([".venv/bin/python bench/suite.py", *args])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine = Machine.describe()
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        outcome = asyncio.run(measure(args.counts, args.chosen, not args.no_peers, Path(workdir)))
    figures = sorted(outcome.figures, key=scenario_number)
    notes = list(outcome.notes)
    if not throttles_off():
        notes.insert(0, "This emulator's CLI has no throttle flags: it ran with its defaults.")
    print(machine.line())
    print(table(figures))
    for note in notes:
        print(f"note: {note}")
    args.results.write_text(markdown(figures, machine, notes, command_line(argv)))
    print(f"wrote {args.results}")
    if args.json:
        report = {
            "machine": asdict(machine),
            "figures": [asdict(figure) for figure in figures],
            "notes": notes,
            "failures": outcome.failures,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    for failure in outcome.failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    # A plain `kill` must also reach the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
