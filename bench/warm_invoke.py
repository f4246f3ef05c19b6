"""Warm-invoke benchmark: blocking invokes of sample/hello against a real `serve` process.

Prints figures and never asserts on them; exits non-zero only when an invoke failed.

    .venv/bin/python bench/warm_invoke.py [--requests 2000] [--concurrency 16] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from harness import WARMUP_CALLS, Machine, Scenario, emulator, print_failures, run_scenario

INVOKE_PATH = "/api/v1/namespaces/_/actions/sample/hello"
EXPECTED = {"body": "Hello bench!"}


def is_expected(result: object) -> bool:
    return result == EXPECTED


async def warm_up(url: str, concurrency: int) -> None:
    """Start `concurrency` warm processes (one per parallel activation) and prove they answer."""
    scenario = await run_scenario(
        "warm-up", url, WARMUP_CALLS * concurrency, concurrency, is_expected
    )
    if scenario.failures:
        raise RuntimeError(f"warm-up failed: {scenario.failures[0]}")


async def measure(requests: int, concurrency: int, workdir: Path) -> list[Scenario]:
    async with emulator(workdir) as served:
        url = served.url + INVOKE_PATH
        await warm_up(url, 1)
        sequential = await run_scenario("sequential", url, requests, 1, is_expected)
        await warm_up(url, concurrency)
        parallel = await run_scenario(
            f"concurrent x{concurrency}", url, requests, concurrency, is_expected
        )
        return [sequential, parallel]


def print_table(rows: list[dict[str, Any]], machine: Machine) -> None:
    header = f"{'scenario':<16} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'invokes/s':>10}"
    print(machine.line())
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['scenario']:<16} {row['requests']:>8} {row['p50_ms']:>8.2f}"
            f" {row['p99_ms']:>8.2f} {row['invokes_per_s']:>10.1f}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="invokes per scenario")
    parser.add_argument("--concurrency", type=int, default=16, help="parallel clients")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1:
        parser.error("--requests and --concurrency must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine = Machine.describe()
    with tempfile.TemporaryDirectory(prefix="warm-invoke-") as workdir:
        scenarios = asyncio.run(measure(args.requests, args.concurrency, Path(workdir)))
    rows = [scenario.summary() for scenario in scenarios]
    print_table(rows, machine)
    if args.json:
        report = {"machine": asdict(machine), "scenarios": rows}
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    failed = print_failures(scenarios)
    return 1 if failed else 0


if __name__ == "__main__":
    # A plain `kill` must also reach the finally blocks that stop the emulator.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
