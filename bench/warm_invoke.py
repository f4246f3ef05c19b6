"""Warm-invoke benchmark: blocking invokes of sample/hello against a real `serve` process.

Prints figures and never asserts on them; exits non-zero only when an invoke failed.

    .venv/bin/python bench/warm_invoke.py [--requests 2000] [--concurrency 16] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from emulator.settings import DEFAULT_CREDENTIALS

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PROJECT = REPO / "sample-project"
INVOKE_PATH = "/api/v1/namespaces/_/actions/sample/hello"
INVOKE_QUERY = {"blocking": "true", "result": "true"}
PAYLOAD = {"name": "bench"}
EXPECTED = {"body": "Hello bench!"}
AUTH_HEADERS = {"Authorization": f"Basic {DEFAULT_CREDENTIALS.token}"}
WARMUP_CALLS = 10
START_TIMEOUT = 30.0
STOP_GRACE = 10.0
MAX_PRINTED_FAILURES = 20


@dataclass(frozen=True, slots=True)
class Scenario:
    """One measured run: its latencies (seconds) and what went wrong."""

    name: str
    latencies: list[float]
    elapsed: float
    failures: list[str]

    def summary(self) -> dict[str, Any]:
        cuts = percentiles(self.latencies)
        return {
            "scenario": self.name,
            "requests": len(self.latencies),
            "failures": len(self.failures),
            "p50_ms": round(cuts[49] * 1000, 2),
            "p99_ms": round(cuts[98] * 1000, 2),
            "invokes_per_s": round(len(self.latencies) / self.elapsed, 1),
        }


def percentiles(samples: list[float]) -> list[float]:
    """The 1st..99th percentiles: index 49 is p50, 98 is p99."""
    if len(samples) < 2:  # quantiles() needs two points
        return samples * 99
    return statistics.quantiles(samples, n=100, method="inclusive")


@dataclass(frozen=True, slots=True)
class Machine:
    cpu: str
    cores: int
    python: str
    date: str

    @classmethod
    def describe(cls) -> Machine:
        return cls(
            cpu=cpu_model(),
            cores=os.cpu_count() or 0,
            python=platform.python_version(),
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )

    def line(self) -> str:
        return f"{self.cpu}, {self.cores} cores, Python {self.python}, {self.date}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets the emulator stop its warm processes; SIGKILL only if it hangs."""
    process.terminate()
    try:
        process.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@asynccontextmanager
async def emulator(workdir: Path) -> AsyncIterator[str]:
    """A running `serve` of the sample project; yields its base URL, stops it on any exit."""
    port = free_port()
    argv = [sys.executable, "-m", "emulator", "serve", str(SAMPLE_PROJECT), "--port", str(port)]
    # The records go to the temporary directory, not the project's .emulator/.
    argv += ["--db", str(workdir / "bench.db")]
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_up(base_url, process, log_path)
        yield base_url
    finally:
        stop(process)


async def wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the emulator exited early:\n{log.read_text()}")
            try:
                async with session.get(base_url + "/api/v1") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"the emulator did not answer within {START_TIMEOUT}s:\n{log.read_text()}")


async def invoke(session: aiohttp.ClientSession, url: str) -> tuple[float, str | None]:
    """One blocking invoke: its latency, and what was wrong with the answer, if anything."""
    started = time.perf_counter()
    try:
        async with session.post(url, params=INVOKE_QUERY, json=PAYLOAD) as response:
            text = await response.text()
            status = response.status
    except aiohttp.ClientError as error:
        return time.perf_counter() - started, f"{type(error).__name__}: {error}"
    latency = time.perf_counter() - started
    if status != 200:
        return latency, f"HTTP {status}: {text[:200]}"
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if body != EXPECTED:
        return latency, f"unexpected result: {text[:200]}"
    return latency, None


def new_session() -> aiohttp.ClientSession:
    # One connection per client: the keep-alive reuse is what a warm benchmark measures.
    connector = aiohttp.TCPConnector(limit=1)
    timeout = aiohttp.ClientTimeout(total=60)
    return aiohttp.ClientSession(headers=AUTH_HEADERS, connector=connector, timeout=timeout)


async def client(
    url: str, tickets: Iterator[int], latencies: list[float], failures: list[str]
) -> None:
    """Invoke while tickets remain; the shared iterator splits the total between clients."""
    async with new_session() as session:
        for _ in tickets:
            latency, failure = await invoke(session, url)
            latencies.append(latency)
            if failure:
                failures.append(failure)


async def run_scenario(name: str, url: str, requests: int, concurrency: int) -> Scenario:
    latencies: list[float] = []
    failures: list[str] = []
    tickets = iter(range(requests))
    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(client(url, tickets, latencies, failures))
    return Scenario(name, latencies, time.perf_counter() - started, failures)


async def warm_up(url: str, concurrency: int) -> None:
    """Start `concurrency` warm processes (one per parallel activation) and prove they answer."""
    scenario = await run_scenario("warm-up", url, WARMUP_CALLS * concurrency, concurrency)
    if scenario.failures:
        raise RuntimeError(f"warm-up failed: {scenario.failures[0]}")


async def measure(requests: int, concurrency: int, workdir: Path) -> list[Scenario]:
    async with emulator(workdir) as base_url:
        url = base_url + INVOKE_PATH
        await warm_up(url, 1)
        sequential = await run_scenario("sequential", url, requests, 1)
        await warm_up(url, concurrency)
        parallel = await run_scenario(f"concurrent x{concurrency}", url, requests, concurrency)
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


def print_failures(scenarios: list[Scenario]) -> int:
    total = 0
    for scenario in scenarios:
        total += len(scenario.failures)
        for failure in scenario.failures[:MAX_PRINTED_FAILURES]:
            print(f"FAILED ({scenario.name}): {failure}", file=sys.stderr)
        hidden = len(scenario.failures) - MAX_PRINTED_FAILURES
        if hidden > 0:
            print(f"... and {hidden} more failures in {scenario.name}", file=sys.stderr)
    if total:
        print(f"{total} invokes failed", file=sys.stderr)
    return total


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
