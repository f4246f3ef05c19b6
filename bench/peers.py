"""The peers, side by side with the same client: Google's functions-framework serving sample/hello
in its own process, and serverless-offline (serverless v3) invoking the same handler through its
Lambda invoke endpoint. Installed by `make bench` (the `bench` extra, `npm ci --prefix bench`)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness import Endpoint, Sample, free_port, server, timed, wait_until_up, warm_up
from outcome import Outcome
from report import PEERS, Figure, at_least

BENCH = Path(__file__).resolve().parent
PEER_SOURCES = BENCH / "peers"
SERVERLESS = BENCH / "node_modules" / "serverless" / "bin" / "serverless.js"
SERVERLESS_OFFLINE = BENCH / "node_modules" / "serverless-offline"
# serverless v3 offline, with the network closed: no telemetry, notifications, update checks,
# deprecation notices or interactive onboarding.
SERVERLESS_ENV = {
    "SLS_TELEMETRY_DISABLED": "1",
    "SLS_NOTIFICATIONS_MODE": "off",
    "SLS_DEPRECATION_DISABLE": "*",
    "SLS_INTERACTIVE_SETUP_DISABLE": "1",
    "SLS_USE_LOCAL_FALLBACK": "1",
}
# serverless-offline names a function <service>-<stage>-<function> (bench/peers/serverless.yml).
LAMBDA_NAME = "bench-bench-hello"
START_TIMEOUT = 120.0
# The throughput targets: ours at least this many times theirs, 16 clients.
THROUGHPUT_TARGETS = {"functions-framework": 1.0, "serverless-offline": 3.0}

Metric = Callable[[Sample], float]


@dataclass(slots=True)
class PeerSamples:
    """Per peer (PEERS order), its sequential and concurrent samples; None: not measured."""

    sequentials: dict[str, Sample] = field(default_factory=dict)
    concurrents: dict[str, Sample] = field(default_factory=dict)

    def sequential(self, metric: Metric) -> tuple[float | None, ...]:
        return tuple(_apply(metric, self.sequentials.get(peer)) for peer in PEERS)

    def concurrent(self, metric: Metric) -> tuple[float | None, ...]:
        return tuple(_apply(metric, self.concurrents.get(peer)) for peer in PEERS)

    def throughput_ratios(self, scenario: str, ours: float) -> list[Figure]:
        figures = []
        for peer in PEERS:
            theirs = _apply(Sample.per_second, self.concurrents.get(peer))
            figures.append(
                Figure(
                    scenario,
                    f"python throughput ÷ {peer}'s",
                    None if not theirs else ours / theirs,
                    "×",
                    at_least(THROUGHPUT_TARGETS[peer]),
                    note="" if theirs else f"{peer} not measured",
                )
            )
        return figures


def _apply(metric: Metric, sample: Sample | None) -> float | None:
    return None if sample is None or sample.failures else metric(sample)


@dataclass(frozen=True, slots=True)
class Peer:
    name: str
    argv: Sequence[str]
    cwd: Path
    env: dict[str, str]
    ready_url: str
    endpoint: Endpoint
    missing: str | None


def functions_framework(port: int) -> Peer:
    program = Path(sys.executable).parent / "functions-framework"
    installed = importlib.util.find_spec("functions_framework") is not None and program.exists()
    url = f"http://127.0.0.1:{port}/"
    return Peer(
        "functions-framework",
        [
            *(str(program), "--target", "hello", "--source", str(PEER_SOURCES / "ff_hello.py")),
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        PEER_SOURCES,
        {},
        url,
        Endpoint(url),
        None if installed else "not installed: pip install -e '.[bench]' (make bench does)",
    )


def serverless_offline(port: int) -> Peer:
    installed = SERVERLESS.exists() and SERVERLESS_OFFLINE.exists()
    url = f"http://127.0.0.1:{port}/2015-03-31/functions/{LAMBDA_NAME}/invocations"
    return Peer(
        "serverless-offline",
        [
            *("node", str(SERVERLESS), "offline", "start", "--host", "127.0.0.1"),
            *("--httpPort", str(free_port()), "--lambdaPort", str(port)),
        ],
        PEER_SOURCES,
        SERVERLESS_ENV,
        url,
        Endpoint(url),
        None if installed else "not installed: npm ci --prefix bench (make bench does)",
    )


async def measure(
    workdir: Path, sequential: int, concurrent: int, clients: int, enabled: bool
) -> tuple[PeerSamples, Outcome]:
    samples = PeerSamples()
    outcome = Outcome()
    for peer in (functions_framework(free_port()), serverless_offline(free_port())):
        if not enabled:
            outcome.notes.append(f"{peer.name}: skipped (--no-peers)")
            continue
        if peer.missing:
            outcome.notes.append(f"{peer.name}: {peer.missing}")
            continue
        log = workdir / f"{peer.name}.log"
        try:
            async with server(peer.argv, log, cwd=peer.cwd, env=peer.env) as started:
                await wait_until_up(peer.ready_url, started, START_TIMEOUT, method="POST")
                await warm_up(peer.endpoint)
                sequential_sample = await timed(peer.name, peer.endpoint, sequential)
                await warm_up(peer.endpoint, clients)
                concurrent_sample = await timed(peer.name, peer.endpoint, concurrent, clients)
        except RuntimeError as error:
            # A peer that fails is a note, not the end of our own figures.
            outcome.failures.append(f"{peer.name}: {error}")
            continue
        samples.sequentials[peer.name] = sequential_sample
        samples.concurrents[peer.name] = concurrent_sample
        outcome.failed(sequential_sample, concurrent_sample)
    outcome.notes.append(
        "Peers: functions-framework runs bench/peers/ff_hello.py with its CLI's defaults "
        "(gunicorn); serverless-offline runs bench/peers/sls_handler.py (python3.11) under "
        "bench/peers/serverless.yml and is invoked on its Lambda endpoint "
        f"(`POST /2015-03-31/functions/{LAMBDA_NAME}/invocations`); same client, counts and "
        "warm-up as ours."
    )
    return samples, outcome
