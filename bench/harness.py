"""What the benchmarks share: a real `serve` process, keep-alive invoking clients, percentiles
and the machine line. Imported by the scripts beside it, never run."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from emulator.api.actions import ACTIVATION_ID_HEADER
from emulator.settings import DEFAULT_CREDENTIALS

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PROJECT = REPO / "sample-project"
INVOKE_QUERY = {"blocking": "true", "result": "true"}
PAYLOAD = {"name": "bench"}
AUTH_HEADERS = {"Authorization": f"Basic {DEFAULT_CREDENTIALS.token}"}
WARMUP_CALLS = 10
START_TIMEOUT = 30.0
STOP_GRACE = 10.0
MAX_PRINTED_FAILURES = 20

# Whether a decoded result is the one the benchmark expects.
Accept = Callable[[Any], bool]


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


@dataclass(frozen=True, slots=True)
class Served:
    """A running emulator: where it answers, and its process."""

    url: str
    process: subprocess.Popen[bytes]


@asynccontextmanager
async def emulator(
    workdir: Path, project: Path = SAMPLE_PROJECT, *, start_timeout: float = START_TIMEOUT
) -> AsyncIterator[Served]:
    """A running `serve` of `project`, answering within `start_timeout`; stopped on any exit."""
    port = free_port()
    argv = [sys.executable, "-m", "emulator", "serve", str(project), "--port", str(port)]
    # The records go to the temporary directory, not the project's .emulator/.
    argv += ["--db", str(workdir / "bench.db")]
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_up(base_url, process, log_path, start_timeout)
        yield Served(base_url, process)
    finally:
        stop(process)


async def wait_until_up(
    base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
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
    raise RuntimeError(f"the emulator did not answer within {timeout}s:\n{log.read_text()}")


@dataclass(frozen=True, slots=True)
class Answer:
    """One invoke as the client saw it: latency (seconds), what was wrong, its activation."""

    latency: float
    failure: str | None
    activation_id: str | None


async def invoke(session: aiohttp.ClientSession, url: str, accept: Accept) -> Answer:
    """One blocking invoke, its answer judged by `accept` on the decoded result."""
    started = time.perf_counter()
    try:
        async with session.post(url, params=INVOKE_QUERY, json=PAYLOAD) as response:
            text = await response.text()
            status = response.status
            activation_id = response.headers.get(ACTIVATION_ID_HEADER)
    except aiohttp.ClientError as error:
        return Answer(time.perf_counter() - started, f"{type(error).__name__}: {error}", None)
    latency = time.perf_counter() - started
    if status != 200:
        return Answer(latency, f"HTTP {status}: {text[:200]}", activation_id)
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not accept(body):
        return Answer(latency, f"unexpected result: {text[:200]}", activation_id)
    return Answer(latency, None, activation_id)


def new_session() -> aiohttp.ClientSession:
    # One connection per client: the keep-alive reuse is what a warm benchmark measures.
    connector = aiohttp.TCPConnector(limit=1)
    timeout = aiohttp.ClientTimeout(total=60)
    return aiohttp.ClientSession(headers=AUTH_HEADERS, connector=connector, timeout=timeout)


async def client(
    url: str, accept: Accept, tickets: Iterator[int], latencies: list[float], failures: list[str]
) -> None:
    """Invoke while tickets remain; the shared iterator splits the total between clients."""
    async with new_session() as session:
        for _ in tickets:
            answer = await invoke(session, url, accept)
            latencies.append(answer.latency)
            if answer.failure:
                failures.append(answer.failure)


async def run_scenario(
    name: str, url: str, requests: int, concurrency: int, accept: Accept
) -> Scenario:
    latencies: list[float] = []
    failures: list[str] = []
    tickets = iter(range(requests))
    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(client(url, accept, tickets, latencies, failures))
    return Scenario(name, latencies, time.perf_counter() - started, failures)


class Failing(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def failures(self) -> list[str]: ...


def print_failures(results: Sequence[Failing]) -> int:
    """Each result's failures on stderr, at most MAX_PRINTED_FAILURES each: their total."""
    total = 0
    for result in results:
        total += len(result.failures)
        for failure in result.failures[:MAX_PRINTED_FAILURES]:
            print(f"FAILED ({result.name}): {failure}", file=sys.stderr)
        hidden = len(result.failures) - MAX_PRINTED_FAILURES
        if hidden > 0:
            print(f"... and {hidden} more failures in {result.name}", file=sys.stderr)
    if total:
        print(f"{total} invokes failed", file=sys.stderr)
    return total
