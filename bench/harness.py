"""What the scenarios share: a real `serve` process, keep-alive HTTP clients, percentiles, the
machine's description and process memory. Imported by the modules beside it, never run."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from emulator.api.actions import ACTIVATION_ID_HEADER
from emulator.cli.serve import serve as serve_command
from emulator.settings import DEFAULT_CREDENTIALS

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PROJECT = REPO / "sample-project"
SAMPLE_PACKAGE = SAMPLE_PROJECT / "packages" / "sample"
PAYLOAD = {"name": "bench"}
AUTH_HEADERS = {"Authorization": f"Basic {DEFAULT_CREDENTIALS.token}"}
API = "/api/v1/namespaces/_"
WEB = f"/api/v1/web/{DEFAULT_CREDENTIALS.default_namespace}"
BLOCKING_RESULT = {"blocking": "true", "result": "true"}
WARMUP_CALLS = 10
START_TIMEOUT = 60.0
STOP_GRACE = 10.0


@dataclass(frozen=True, slots=True)
class Runtime:
    """One sample greeting: its language, its function and its source file."""

    name: str
    function: str
    source: str


RUNTIMES = (
    Runtime("python", "sample/hello", "hello.py"),
    Runtime("node", "sample/hello-node", "hello-node.js"),
    Runtime("go", "sample/hello-go", "hello-go.go"),
    Runtime("php", "sample/hello-php", "hello-php.php"),
)

# Whether a decoded answer is the one the benchmark expects.
Accept = Callable[[Any], bool]


def greets_bench(result: object) -> bool:
    return isinstance(result, dict) and str(result.get("body", "")).startswith("Hello bench")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What one client request is: the same client times the emulator and its peers."""

    url: str
    accept: Accept = greets_bench
    method: str = "POST"
    params: Mapping[str, str] = field(default_factory=dict)
    ok_status: int = 200


def action_endpoint(base_url: str, function: str) -> Endpoint:
    """A blocking invoke answered with the result alone."""
    return Endpoint(f"{base_url}{API}/actions/{function}", params=BLOCKING_RESULT)


@dataclass(frozen=True, slots=True)
class Sample:
    """One timed run: its latencies (seconds), its wall time and what went wrong."""

    name: str
    latencies: list[float]
    elapsed: float
    failures: list[str]

    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed > 0 else 0.0


def percentile(samples: Sequence[float], cut: int) -> float:
    """The `cut`th percentile (1..99); NaN when there is nothing to cut."""
    if not samples:
        return float("nan")
    if len(samples) < 2:  # quantiles() needs two points
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[cut - 1]


@dataclass(frozen=True, slots=True)
class Answer:
    """One request as the client saw it: latency (seconds), what was wrong, its activation."""

    latency: float
    failure: str | None
    activation_id: str | None = None
    body: Any = None


async def request(
    session: aiohttp.ClientSession, endpoint: Endpoint, payload: object = PAYLOAD
) -> Answer:
    """One request, its decoded answer judged by the endpoint's `accept`."""
    body = None if endpoint.method == "GET" else payload
    started = time.perf_counter()
    try:
        async with session.request(
            endpoint.method, endpoint.url, params=endpoint.params, json=body
        ) as response:
            text = await response.text()
            status = response.status
            activation_id = response.headers.get(ACTIVATION_ID_HEADER)
    except (aiohttp.ClientError, TimeoutError) as error:
        return Answer(time.perf_counter() - started, f"{type(error).__name__}: {error}")
    latency = time.perf_counter() - started
    if status != endpoint.ok_status:
        return Answer(latency, f"HTTP {status}: {text[:200]}", activation_id)
    try:
        decoded = json.loads(text)
    except ValueError:
        decoded = text
    if not endpoint.accept(decoded):
        return Answer(latency, f"unexpected answer: {text[:200]}", activation_id, decoded)
    return Answer(latency, None, activation_id, decoded)


def new_session(*, connections: int = 1, timeout: float = 60) -> aiohttp.ClientSession:
    # One connection per client: keep-alive reuse is what a warm benchmark measures. No
    # certificate check: a peer that serves HTTPS only does so with a self-signed one.
    connector = aiohttp.TCPConnector(limit=connections, ssl=False)
    return aiohttp.ClientSession(
        headers=AUTH_HEADERS, connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
    )


async def client(
    endpoint: Endpoint, tickets: Iterator[int], latencies: list[float], failures: list[str]
) -> None:
    """Request while tickets remain; the shared iterator splits the total between clients."""
    async with new_session() as session:
        for _ in tickets:
            answer = await request(session, endpoint)
            latencies.append(answer.latency)
            if answer.failure:
                failures.append(answer.failure)


async def timed(name: str, endpoint: Endpoint, requests: int, concurrency: int = 1) -> Sample:
    """`requests` requests from `concurrency` keep-alive clients in parallel."""
    latencies: list[float] = []
    failures: list[str] = []
    tickets = iter(range(requests))
    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(client(endpoint, tickets, latencies, failures))
    return Sample(name, latencies, time.perf_counter() - started, failures)


async def warm_up(endpoint: Endpoint, concurrency: int = 1) -> None:
    """Start `concurrency` warm processes (one per parallel activation), proving they answer."""
    sample = await timed("warm-up", endpoint, WARMUP_CALLS * concurrency, concurrency)
    if sample.failures:
        raise RuntimeError(f"warm-up of {endpoint.url} failed: {sample.failures[0]}")


@dataclass(frozen=True, slots=True)
class Machine:
    cpu: str
    cores: int
    ram_gb: float
    python: str
    node: str
    kernel: str
    load: str
    date: str

    @classmethod
    def describe(cls) -> Machine:
        return cls(
            cpu=cpu_model(),
            cores=os.cpu_count() or 0,
            ram_gb=round(ram_bytes() / 2**30, 1),
            python=platform.python_version(),
            node=program_version(["node", "--version"]),
            kernel=f"{platform.system()} {platform.release()}",
            load=" ".join(f"{figure:.2f}" for figure in os.getloadavg()),
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )

    def line(self) -> str:
        return (
            f"{self.cpu}, {self.cores} cores, {self.ram_gb} GB RAM, {self.kernel}, "
            f"Python {self.python}, Node {self.node}, load {self.load}, {self.date}"
        )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ram_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0


def program_version(argv: list[str]) -> str:
    if shutil.which(argv[0]) is None:
        return "missing"
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return done.stdout.strip() or done.stderr.strip() or "unknown"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets a server stop its own children; SIGKILL only if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def throttles_off() -> list[str]:
    """The flags that switch the platform's throttles off, for a CLI that has them: a
    benchmark that sends thousands of calls a minute measures the emulator, not the limit."""
    options = {option for param in serve_command.params for option in param.opts}
    flags = ("--invocations-per-minute", "--concurrent-invocations")
    return [part for flag in flags if flag in options for part in (flag, "0")]


@dataclass(frozen=True, slots=True)
class Served:
    """A running emulator: where it answers, and its process."""

    url: str
    process: subprocess.Popen[bytes]


@asynccontextmanager
async def emulator(
    workdir: Path,
    project: Path = SAMPLE_PROJECT,
    *,
    db: Path | None = None,
    extra: Sequence[str] = (),
    start_timeout: float = START_TIMEOUT,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[Served]:
    """A running `serve` of `project`, answering within `start_timeout`; stopped on any exit.
    The records go to `db` (default: a file in `workdir`), not to the project's .emulator/.
    `env` is added to the emulator's environment."""
    port = free_port()
    argv = [sys.executable, "-m", "emulator", "serve", str(project), "--port", str(port)]
    argv += ["--db", str(db or workdir / "bench.db"), "--no-triggers", *throttles_off(), *extra]
    async with server(argv, workdir / f"serve-{port}.log", cwd=REPO, env=env) as started:
        base_url = f"http://127.0.0.1:{port}"
        await wait_until_up(base_url + "/api/v1", started, start_timeout)
        yield Served(base_url, started.process)


@dataclass(frozen=True, slots=True)
class Started:
    """A started server process, and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path


@asynccontextmanager
async def server(
    argv: Sequence[str], log: Path, *, cwd: Path, env: Mapping[str, str] | None = None
) -> AsyncIterator[Started]:
    """A process whose output goes to `log`, stopped on any exit."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=None if env is None else {**os.environ, **env},
        )
    try:
        yield Started(process, log)
    finally:
        stop(process)


async def wait_until_up(url: str, started: Started, timeout: float, method: str = "GET") -> None:
    """Until `url` answers at all (any status); fails with the server's output otherwise."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as session:
        while time.monotonic() < deadline:
            if started.process.poll() is not None:
                raise RuntimeError(f"{url}: the server exited early:\n{started.log.read_text()}")
            try:
                async with session.request(method, url) as response:
                    await response.read()
                    return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout}s:\n{started.log.read_text()}")


def bench_project(workdir: Path) -> Path:
    """A project of the four sample greetings alone (inferred from packages/, no builds), in
    `workdir`: scenarios that change sources change this copy, never the sample."""
    package = workdir / "project" / "packages" / "sample"
    package.mkdir(parents=True)
    for runtime in RUNTIMES:
        shutil.copy2(SAMPLE_PACKAGE / runtime.source, package / runtime.source)
    return package.parent.parent


def rss_kb(pid: int) -> int | None:
    """Resident memory of `pid` in kB; None when it has gone (or on a system without /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """The CPU time `pid` itself has used, user and system (utime + stime in /proc/<pid>/stat;
    its children's are their own); None when it has gone or there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields follow the last ")", from
    # the third (state) on, so utime and stime (the 14th and 15th) are the 12th and 13th here.
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (empty where there is no /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        ppid = int(stat.rpartition(")")[2].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        children = parents.get(frontier.pop(), [])
        found.update(children)
        frontier.extend(children)
    return found


async def settle(pid: int, timeout: float = 120.0, quiet: float = 0.5) -> bool:
    """Until the processes below `pid` have stayed the same for `quiet` seconds (its start-up
    work, such as the Go warm-up, is over; a pool of prelaunched processes stays); False if
    they were still changing after `timeout`."""
    deadline = time.monotonic() + timeout
    seen = descendants(pid)
    since = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        now = descendants(pid)
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
    return False
