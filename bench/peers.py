"""The peers, side by side with the same client: Google's functions-framework serving sample/hello
in its own process, serverless-offline (serverless v3) invoking the same handler through its
Lambda invoke endpoint, and Adobe's `aio app dev` (@adobe/aio-cli-plugin-app-dev), which runs
OpenWhisk Node.js actions locally, beside our Node.js figures. Installed by `make bench` (the
`bench` extra, `npm ci --prefix bench`)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness import Endpoint, Sample, free_port, server, timed, wait_until_up, warm_up
from outcome import Outcome
from report import PeerFigures

BENCH = Path(__file__).resolve().parent
PEER_SOURCES = BENCH / "peers"
SERVERLESS = BENCH / "node_modules" / "serverless" / "bin" / "serverless.js"
SERVERLESS_OFFLINE = BENCH / "node_modules" / "serverless-offline"
AIO_APP_DEV = BENCH / "node_modules" / "@adobe" / "aio-cli-plugin-app-dev" / "bin" / "run"
AIO_APP = PEER_SOURCES / "aio-app"
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
# `aio app dev` serves a web action at /api/v1/web/<package>/<action> (bench/peers/aio-app).
AIO_ACTION = "api/v1/web/bench/hello"
START_TIMEOUT = 120.0

FUNCTIONS_FRAMEWORK = "functions-framework"
SERVERLESS_OFFLINE_NAME = "serverless-offline"
AIO = "aio app dev"
# Whose figures each peer stands beside: ours for the runtime its function is written in.
PEERS_OF = {"python": (FUNCTIONS_FRAMEWORK, SERVERLESS_OFFLINE_NAME), "node": (AIO,)}
# Those that also serve the greeting as a web function, beside our web GET.
WEB_PEERS_OF = {"node": (AIO,)}

Metric = Callable[[Sample], float]


@dataclass(slots=True)
class PeerSamples:
    """Per peer, its sequential, concurrent and web samples; a peer missing: not measured."""

    sequentials: dict[str, Sample] = field(default_factory=dict)
    concurrents: dict[str, Sample] = field(default_factory=dict)
    webs: dict[str, Sample] = field(default_factory=dict)

    def sequential(self, runtime: str, metric: Metric) -> PeerFigures:
        return _figures(self.sequentials, PEERS_OF.get(runtime, ()), metric)

    def concurrent(self, runtime: str, metric: Metric) -> PeerFigures:
        return _figures(self.concurrents, PEERS_OF.get(runtime, ()), metric)

    def web(self, runtime: str, metric: Metric) -> PeerFigures:
        return _figures(self.webs, WEB_PEERS_OF.get(runtime, ()), metric)


def _figures(samples: dict[str, Sample], peers: Sequence[str], metric: Metric) -> PeerFigures:
    return tuple((peer, _apply(metric, samples.get(peer))) for peer in peers)


def _apply(metric: Metric, sample: Sample | None) -> float | None:
    return None if sample is None or sample.failures else metric(sample)


def text_greeting(text: object) -> bool:
    # A web action's {"body": ...} is the HTTP body itself.
    return isinstance(text, str) and text.startswith("Hello bench")


@dataclass(frozen=True, slots=True)
class Peer:
    name: str
    argv: Sequence[str]
    cwd: Path
    env: dict[str, str]
    ready_url: str
    endpoint: Endpoint
    missing: str | None
    web: Endpoint | None = None


def functions_framework(port: int) -> Peer:
    program = Path(sys.executable).parent / "functions-framework"
    installed = importlib.util.find_spec("functions_framework") is not None and program.exists()
    url = f"http://127.0.0.1:{port}/"
    return Peer(
        FUNCTIONS_FRAMEWORK,
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
        SERVERLESS_OFFLINE_NAME,
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


def aio_app_dev(port: int, workdir: Path) -> Peer:
    """`aio app dev` in a copy of bench/peers/aio-app (it writes its build into dist/), with a
    self-signed certificate made beforehand: it serves HTTPS only, and would otherwise ask a
    browser to accept the one it makes."""
    url = f"https://127.0.0.1:{port}/{AIO_ACTION}"
    app = workdir / "aio-app"
    missing = None
    if not AIO_APP_DEV.exists():
        missing = "not installed: npm ci --prefix bench (make bench does)"
    elif shutil.which("openssl") is None:
        missing = "openssl is missing: it makes the certificate `aio app dev` serves HTTPS with"
    else:
        shutil.copytree(AIO_APP, app, dirs_exist_ok=True)
        self_signed_certificate(app / "dist" / "dev-keys")
    return Peer(
        AIO,
        ["node", str(AIO_APP_DEV), "app", "dev"],
        app,
        # Its server's address and port come from the environment; HOME keeps it away from
        # the user's own aio configuration.
        {"SERVER_HOST": "127.0.0.1", "PORT": str(port), "HOME": str(workdir)},
        url,
        Endpoint(url, accept=text_greeting),
        missing,
        Endpoint(url, accept=text_greeting, method="GET", params={"name": "bench"}),
    )


def self_signed_certificate(folder: Path) -> None:
    """The key and certificate `aio app dev` looks for first (dist/dev-keys/)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=localhost", "-keyout", str(folder / "private.key")),
            *("-out", str(folder / "cert-pub.crt")),
        ],
        check=True,
        capture_output=True,
    )


async def measure(
    workdir: Path, sequential: int, concurrent: int, clients: int, web: int, enabled: bool
) -> tuple[PeerSamples, Outcome]:
    samples = PeerSamples()
    outcome = Outcome()
    peers = (
        functions_framework(free_port()),
        serverless_offline(free_port()),
        aio_app_dev(free_port(), workdir),
    )
    for peer in peers:
        if not enabled:
            outcome.notes.append(f"{peer.name}: skipped (--no-peers)")
            continue
        if peer.missing:
            outcome.notes.append(f"{peer.name}: {peer.missing}")
            continue
        log = workdir / f"{peer.name.replace(' ', '-')}.log"
        try:
            async with server(peer.argv, log, cwd=peer.cwd, env=peer.env) as started:
                await wait_until_up(peer.ready_url, started, START_TIMEOUT, method="POST")
                await warm_up(peer.endpoint)
                sequential_sample = await timed(peer.name, peer.endpoint, sequential)
                await warm_up(peer.endpoint, clients)
                concurrent_sample = await timed(peer.name, peer.endpoint, concurrent, clients)
                web_sample = None
                if peer.web is not None:
                    await warm_up(peer.web)
                    web_sample = await timed(f"{peer.name} web", peer.web, web)
        except RuntimeError as error:
            # A peer that fails is a note, not the end of our own figures.
            outcome.failures.append(f"{peer.name}: {error}")
            continue
        samples.sequentials[peer.name] = sequential_sample
        samples.concurrents[peer.name] = concurrent_sample
        outcome.failed(sequential_sample, concurrent_sample)
        if web_sample is not None:
            samples.webs[peer.name] = web_sample
            outcome.failed(web_sample)
    outcome.notes.append(
        "Peers: functions-framework runs bench/peers/ff_hello.py with its CLI's defaults "
        "(gunicorn); serverless-offline runs bench/peers/sls_handler.py (python3.11) under "
        "bench/peers/serverless.yml and is invoked on its Lambda endpoint "
        f"(`POST /2015-03-31/functions/{LAMBDA_NAME}/invocations`); both beside our Python "
        "figures. `aio app dev` (@adobe/aio-cli-plugin-app-dev) runs bench/peers/aio-app, a "
        "Node.js web action, inside its own server process, over HTTPS only (a self-signed "
        f"certificate): `POST /{AIO_ACTION}` with the same JSON body beside our Node.js "
        "invokes, `GET …?name=bench` beside our Node.js web GET. Same client, counts and "
        "warm-up as ours. The OpenWhisk-style runners checked and not added (they need Docker, "
        "a live namespace or a Java jar from outside the registries) are listed in "
        "bench/README.md."
    )
    return samples, outcome
