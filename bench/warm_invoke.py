"""Scenarios 1 and 2: warm blocking invokes over the REST API, one client in sequence and 16
in parallel, per runtime; and scenario 3, the web function GET of the same greetings."""

from __future__ import annotations

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
    timed,
    warm_up,
)
from outcome import Outcome
from peers import PeerSamples
from report import Figure, at_least, at_most

SEQUENTIAL = "1 warm invoke, 1 client"
CONCURRENT = "2 warm invoke, {clients} clients"
WEB_GET = "3 web GET, 1 client"


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


async def measure(
    served: Served, runtimes: Sequence[Runtime], counts: Counts, peers: PeerSamples
) -> Outcome:
    outcome = Outcome()
    sequential: dict[str, Sample] = {}
    concurrent: dict[str, Sample] = {}
    web: dict[str, Sample] = {}
    for runtime in runtimes:
        endpoint = action_endpoint(served.url, runtime.function)
        await warm_up(endpoint)
        sequential[runtime.name] = await timed(
            f"sequential {runtime.name}", endpoint, counts.sequential
        )
    for runtime in runtimes:
        endpoint = action_endpoint(served.url, runtime.function)
        await warm_up(endpoint, counts.clients)
        concurrent[runtime.name] = await timed(
            f"concurrent {runtime.name}", endpoint, counts.concurrent, counts.clients
        )
    for runtime in runtimes:
        endpoint = web_endpoint(served.url, runtime.function)
        await warm_up(endpoint)
        web[runtime.name] = await timed(f"web {runtime.name}", endpoint, counts.web)
    for samples in (sequential, concurrent, web):
        outcome.failed(*samples.values())
    outcome.figures += sequential_figures(sequential, peers)
    outcome.figures += concurrent_figures(concurrent, peers, counts.clients)
    outcome.figures += web_figures(web)
    outcome.notes.append(
        f"1-3: after {WARMUP_CALLS} warm-up calls per client; {counts.sequential} sequential and "
        f"{counts.concurrent} concurrent blocking invokes (`?blocking=true&result=true`, body "
        f'{{"name":"bench"}}) per runtime, {counts.web} web GETs (`?name=bench`), one '
        "keep-alive connection per client."
    )
    return outcome


def sequential_figures(samples: dict[str, Sample], peers: PeerSamples) -> list[Figure]:
    figures = []
    for name, sample in samples.items():
        python = name == "python"
        figures += [
            Figure(
                SEQUENTIAL,
                f"{name} p50",
                sample.p50_ms(),
                "ms",
                at_most(1) if python else None,
                peers.sequential(Sample.p50_ms) if python else (),
            ),
            Figure(
                SEQUENTIAL,
                f"{name} p99",
                sample.p99_ms(),
                "ms",
                at_most(3) if python else None,
                peers.sequential(Sample.p99_ms) if python else (),
            ),
            Figure(
                SEQUENTIAL,
                f"{name} invokes/s",
                sample.per_second(),
                "/s",
                None,
                peers.sequential(Sample.per_second) if python else (),
            ),
        ]
    return figures


def concurrent_figures(
    samples: dict[str, Sample], peers: PeerSamples, clients: int
) -> list[Figure]:
    scenario = CONCURRENT.format(clients=clients)
    figures = []
    for name, sample in samples.items():
        python = name == "python"
        figures += [
            Figure(
                scenario,
                f"{name} invokes/s",
                sample.per_second(),
                "/s",
                at_least(1500) if python else None,
                peers.concurrent(Sample.per_second) if python else (),
            ),
            Figure(
                scenario,
                f"{name} p99",
                sample.p99_ms(),
                "ms",
                None,
                peers.concurrent(Sample.p99_ms) if python else (),
            ),
        ]
    python_sample = samples.get("python")
    if python_sample is not None:
        figures += peers.throughput_ratios(scenario, python_sample.per_second())
    return figures


def web_figures(samples: dict[str, Sample]) -> list[Figure]:
    figures = []
    for name, sample in samples.items():
        figures += [
            Figure(WEB_GET, f"{name} p50", sample.p50_ms(), "ms"),
            Figure(WEB_GET, f"{name} p99", sample.p99_ms(), "ms"),
            Figure(WEB_GET, f"{name} requests/s", sample.per_second(), "/s"),
        ]
    return figures
