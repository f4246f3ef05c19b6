"""Scenarios 1 and 2: warm blocking invokes over the REST API, one client in sequence and 16
in parallel, per runtime, with the emulator's own CPU time per invoke; and scenario 3, the web
function GET of the same greetings."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from harness import (
    WARMUP_CALLS,
    WEB,
    Endpoint,
    Runtime,
    Sample,
    Served,
    action_endpoint,
    cpu_seconds,
    timed,
    warm_up,
)
from outcome import Outcome
from peers import FUNCTIONS_FRAMEWORK, SERVERLESS_OFFLINE_NAME, PeerSamples
from report import Figure, at_least_times, at_most, at_most_times

SEQUENTIAL = "1 warm invoke, 1 client"
CONCURRENT = "2 warm invoke, {clients} clients"
WEB_GET = "3 web GET, 1 client"
# The issue's targets for Python: ratios to the peers' figures of the same run, and the
# emulator's own CPU per warm invoke.
P50_TARGET = {FUNCTIONS_FRAMEWORK: 1.0}
P99_TARGET = {FUNCTIONS_FRAMEWORK: 2.0}
THROUGHPUT_TARGET = {FUNCTIONS_FRAMEWORK: 1.25, SERVERLESS_OFFLINE_NAME: 1.5}
CPU_TARGET_MS = 0.5


@dataclass(frozen=True, slots=True)
class Counts:
    sequential: int
    concurrent: int
    clients: int
    web: int


def web_endpoint(base_url: str, function: str) -> Endpoint:
    # A web function's {"body": ...} is the HTTP body itself.
    return Endpoint(
        f"{base_url}{WEB}/{function}",
        accept=lambda text: isinstance(text, str) and text.startswith("Hello bench"),
        method="GET",
        params={"name": "bench"},
    )


@dataclass(frozen=True, slots=True)
class Run:
    """One timed run, and the CPU time the emulator's own process used during it."""

    sample: Sample
    cpu: float | None

    def cpu_ms_per_invoke(self) -> float | None:
        calls = len(self.sample.latencies)
        return None if self.cpu is None or not calls else self.cpu * 1000 / calls


async def cpu_timed(
    served: Served, name: str, endpoint: Endpoint, requests: int, clients: int
) -> Run:
    pid = served.process.pid
    before = cpu_seconds(pid)
    sample = await timed(name, endpoint, requests, clients)
    after = cpu_seconds(pid)
    return Run(sample, None if before is None or after is None else after - before)


async def measure(
    served: Served, runtimes: Sequence[Runtime], counts: Counts, peers: PeerSamples
) -> Outcome:
    outcome = Outcome()
    sequential: dict[str, Run] = {}
    concurrent: dict[str, Run] = {}
    web: dict[str, Sample] = {}
    for runtime in runtimes:
        endpoint = action_endpoint(served.url, runtime.function)
        await warm_up(endpoint)
        sequential[runtime.name] = await cpu_timed(
            served, f"sequential {runtime.name}", endpoint, counts.sequential, 1
        )
    for runtime in runtimes:
        endpoint = action_endpoint(served.url, runtime.function)
        await warm_up(endpoint, counts.clients)
        concurrent[runtime.name] = await cpu_timed(
            served, f"concurrent {runtime.name}", endpoint, counts.concurrent, counts.clients
        )
    for runtime in runtimes:
        endpoint = web_endpoint(served.url, runtime.function)
        await warm_up(endpoint)
        web[runtime.name] = await timed(f"web {runtime.name}", endpoint, counts.web)
    outcome.failed(*(run.sample for run in (*sequential.values(), *concurrent.values())))
    outcome.failed(*web.values())
    outcome.figures += sequential_figures(sequential, peers)
    outcome.figures += concurrent_figures(concurrent, peers, counts.clients)
    outcome.figures += web_figures(web, peers)
    outcome.notes.append(
        f"1-3: after {WARMUP_CALLS} warm-up calls per client; {counts.sequential} sequential and "
        f"{counts.concurrent} concurrent blocking invokes (`?blocking=true&result=true`, body "
        f'{{"name":"bench"}}) per runtime, {counts.web} web GETs (`?name=bench`), one '
        "keep-alive connection per client. Emulator CPU per invoke: the utime + stime of the "
        "`serve` process alone (/proc/<pid>/stat; the functions' processes are its children "
        "and not counted) over the timed run, divided by its invokes, in clock ticks of "
        f"{1000 / os.sysconf('SC_CLK_TCK'):.0f} ms."
    )
    return outcome


def sequential_figures(runs: dict[str, Run], peers: PeerSamples) -> list[Figure]:
    figures = []
    for name, run in runs.items():
        python = name == "python"
        sample = run.sample
        figures += [
            Figure(
                SEQUENTIAL,
                f"{name} p50",
                sample.p50_ms(),
                "ms",
                at_most_times(P50_TARGET) if python else None,
                peers.sequential(name, Sample.p50_ms),
            ),
            Figure(
                SEQUENTIAL,
                f"{name} p99",
                sample.p99_ms(),
                "ms",
                at_most_times(P99_TARGET) if python else None,
                peers.sequential(name, Sample.p99_ms),
            ),
            Figure(
                SEQUENTIAL,
                f"{name} invokes/s",
                sample.per_second(),
                "/s",
                None,
                peers.sequential(name, Sample.per_second),
            ),
            cpu_figure(SEQUENTIAL, name, run),
        ]
    return figures


def concurrent_figures(runs: dict[str, Run], peers: PeerSamples, clients: int) -> list[Figure]:
    scenario = CONCURRENT.format(clients=clients)
    figures = []
    for name, run in runs.items():
        python = name == "python"
        sample = run.sample
        figures += [
            Figure(
                scenario,
                f"{name} invokes/s",
                sample.per_second(),
                "/s",
                at_least_times(THROUGHPUT_TARGET) if python else None,
                peers.concurrent(name, Sample.per_second),
            ),
            Figure(
                scenario,
                f"{name} p99",
                sample.p99_ms(),
                "ms",
                None,
                peers.concurrent(name, Sample.p99_ms),
            ),
            cpu_figure(scenario, name, run),
        ]
    return figures


def cpu_figure(scenario: str, name: str, run: Run) -> Figure:
    value = run.cpu_ms_per_invoke()
    return Figure(
        scenario,
        f"{name} emulator CPU per invoke",
        value,
        "ms",
        at_most(CPU_TARGET_MS) if name == "python" else None,
        note="" if value is not None else "no /proc/<pid>/stat",
    )


def web_figures(samples: dict[str, Sample], peers: PeerSamples) -> list[Figure]:
    figures = []
    for name, sample in samples.items():
        figures += [
            Figure(
                WEB_GET, f"{name} p50", sample.p50_ms(), "ms", None, peers.web(name, Sample.p50_ms)
            ),
            Figure(
                WEB_GET, f"{name} p99", sample.p99_ms(), "ms", None, peers.web(name, Sample.p99_ms)
            ),
            Figure(
                WEB_GET,
                f"{name} requests/s",
                sample.per_second(),
                "/s",
                None,
                peers.web(name, Sample.per_second),
            ),
        ]
    return figures
