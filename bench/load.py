"""Load: many clients for a while, mixing blocking and non-blocking invokes, activation reads
and web calls, against a real `serve` with the throttles off.

Prints what was sent and answered per kind, the 5xx answers, the activations the emulator
accepted against the records it holds afterwards, and the emulator's resident memory at the
start, after the warm-up, in the middle and at the end. Exit status 1 when the emulator
answered any 5xx, failed a request, lost an activation, or its memory kept growing.

    .venv/bin/python bench/load.py --clients 200 --duration 60 --json figures.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp
from harness import AUTH_HEADERS, WEB, emulator, rss_kb

from emulator.api.actions import ACTIVATION_ID_HEADER

API = "/api/v1/namespaces/_"
KINDS = ("blocking invoke", "non-blocking invoke", "activation read", "web call", "listing")
# What each kind may be answered besides a 5xx; a record read is 404 while it runs.
EXPECTED = {"activation read": (200, 404)}
ECHO = "def main(args):\n    return {'echo': args.get('n', 0)}\n"
WEB_ECHO = "def main(args):\n    return {'body': {'echo': args.get('n', '0')}}\n"
# Resident memory may grow after the warm-up by this fraction of it, or this many MB.
MEMORY_GROWTH = 0.5
MEMORY_SLACK_MB = 64
# After the load, how long the emulator may take to record what is still running.
SETTLE_SECONDS = 60.0
PAGE = 200


@dataclass
class Tally:
    """What the clients saw; shared by all of them (one event loop: no locks needed)."""

    sent: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)
    # Activations answered with an unexpected status: their records say why.
    failed_activations: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Figures:
    clients: int
    seconds: float
    requests: int
    per_second: float
    per_kind: dict[str, int]
    statuses: dict[str, int]
    server_errors: int
    failures: int
    accepted: int
    recorded: int
    missing: int
    rss_mb: dict[str, float]
    memory_flat: bool
    examples: list[str]

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.failures or self.missing) and self.memory_flat


def write_project(root: Path) -> Path:
    package = root / "packages" / "load"
    package.mkdir(parents=True)
    (package / "echo.py").write_text(ECHO)
    (package / "page.py").write_text(WEB_ECHO)
    # A generous timeout: on a crowded machine, the default 3 s can pass before a process
    # is even scheduled, and this measures the emulator, not the function.
    limits = "        limits:\n          timeout: 60000\n"
    (root / "project.yml").write_text(
        "packages:\n  - name: load\n    functions:\n"
        f"      - name: echo\n        web: false\n{limits}"
        f"      - name: page\n        web: true\n{limits}"
    )
    return root


class Client:
    """One client: a fixed rotation of the kinds, each request awaited before the next."""

    def __init__(self, session: aiohttp.ClientSession, base: str, index: int, tally: Tally):
        self._session = session
        self._base = base
        self._turn = index  # spreads the kinds between clients at any moment
        self._tally = tally
        self._last: str | None = None

    async def run(self, until: float) -> None:
        while time.monotonic() < until:
            kind = KINDS[self._turn % len(KINDS)]
            self._turn += 1
            await self._one(kind)

    async def _one(self, kind: str) -> None:
        n = self._turn
        if kind == "blocking invoke":
            url, method, body = f"{API}/actions/load/echo?blocking=true", "POST", {"n": n}
        elif kind == "non-blocking invoke":
            url, method, body = f"{API}/actions/load/echo", "POST", {"n": n}
        elif kind == "activation read" and self._last is not None:
            url, method, body = f"{API}/activations/{self._last}", "GET", None
        elif kind == "web call":
            url, method, body = f"{WEB}/load/page.json?n={n}", "GET", None
        else:
            url, method, body = f"{API}/activations?limit=10", "GET", None
        self._tally.sent[kind] += 1
        try:
            async with self._session.request(method, self._base + url, json=body) as response:
                text = await response.text()
                status = response.status
                activation = response.headers.get(ACTIVATION_ID_HEADER)
        except (aiohttp.ClientError, TimeoutError) as error:
            self._tally.failures.append(f"{kind}: {type(error).__name__}: {error}")
            return
        self._tally.statuses[str(status)] += 1
        if status >= 500:
            self._tally.server_errors.append(f"{kind}: HTTP {status}: {text[:200]}")
        elif status not in EXPECTED.get(kind, (200, 202)):
            self._tally.failures.append(f"{kind}: HTTP {status}: {text[:200]}")
            if activation is not None:
                self._tally.failed_activations.append(activation)
        if method == "POST" or kind == "web call":
            # Every invocation the emulator accepted names its activation, whatever its outcome.
            if activation is None:
                if status < 400:
                    self._tally.failures.append(f"{kind}: no {ACTIVATION_ID_HEADER} header")
                return
            self._tally.accepted.add(activation)
            self._last = activation


async def sample_memory(pid: int, samples: list[tuple[float, int]], started: float) -> None:
    while True:
        size = rss_kb(pid)
        if size is not None:
            samples.append((time.monotonic() - started, size))
        await asyncio.sleep(0.5)


async def recorded_ids(
    session: aiohttp.ClientSession, base: str, since_ms: int, expected: int
) -> set[str]:
    """Every activation recorded since `since_ms`, once the count stops short of nothing."""
    deadline = time.monotonic() + SETTLE_SECONDS
    params = {"since": str(since_ms)}
    while True:
        async with session.get(
            f"{base}{API}/activations", params={**params, "count": "true"}
        ) as response:
            total = (await response.json())["activations"]
        if total >= expected or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    ids: set[str] = set()
    for skip in range(0, total, PAGE):
        async with session.get(
            f"{base}{API}/activations",
            params={**params, "limit": str(PAGE), "skip": str(skip)},
        ) as response:
            ids.update(record["activationId"] for record in await response.json())
    return ids


async def failure_causes(
    session: aiohttp.ClientSession, base: str, activation_ids: list[str]
) -> list[str]:
    causes = []
    for activation_id in activation_ids:
        async with session.get(f"{base}{API}/activations/{activation_id}") as response:
            record = await response.json() if response.status == 200 else {}
        response_field = record.get("response", {})
        causes.append(f"record {activation_id}: {json.dumps(response_field)[:300]}")
    return causes


def memory_figures(
    samples: list[tuple[float, int]], warmup: float, seconds: float
) -> dict[str, float]:
    def at(moment: float) -> float:
        before = [size for when, size in samples if when <= moment] or [samples[0][1]]
        return round(before[-1] / 1024, 1)

    return {
        "start": at(0),
        "after warm-up": at(warmup),
        "middle": at(warmup + (seconds - warmup) / 2),
        "end": at(seconds),
        "peak": round(max(size for _, size in samples) / 1024, 1),
    }


async def run(clients: int, seconds: float, warmup: float, workdir: Path) -> Figures:
    project = write_project(workdir / "project")
    tally = Tally()
    samples: list[tuple[float, int]] = []
    # The records are checked from the server's clock: since a little before the first call.
    since_ms = int(time.time() * 1000) - 1000
    async with emulator(workdir, project, extra=("--quiet", "--no-reload")) as served:
        connector = aiohttp.TCPConnector(limit=clients)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(
            headers=AUTH_HEADERS, connector=connector, timeout=timeout
        ) as session:
            started = time.monotonic()
            sampler = asyncio.create_task(sample_memory(served.process.pid, samples, started))
            until = started + seconds
            async with asyncio.TaskGroup() as group:
                for index in range(clients):
                    group.create_task(Client(session, served.url, index, tally).run(until))
            elapsed = time.monotonic() - started
            sampler.cancel()
            recorded = await recorded_ids(session, served.url, since_ms, len(tally.accepted))
            causes = await failure_causes(session, served.url, tally.failed_activations[:5])
    requests = sum(tally.sent.values())
    rss = memory_figures(samples, warmup, elapsed)
    allowed = rss["after warm-up"] * (1 + MEMORY_GROWTH) + MEMORY_SLACK_MB
    return Figures(
        clients=clients,
        seconds=round(elapsed, 1),
        requests=requests,
        per_second=round(requests / elapsed, 1),
        per_kind=dict(tally.sent),
        statuses=dict(sorted(tally.statuses.items())),
        server_errors=len(tally.server_errors),
        failures=len(tally.failures),
        accepted=len(tally.accepted),
        recorded=len(tally.accepted & recorded),
        missing=len(tally.accepted - recorded),
        rss_mb=rss,
        memory_flat=rss["end"] <= allowed,
        examples=(tally.server_errors + tally.failures)[:5] + causes,
    )


def report(figures: Figures) -> str:
    lines = [
        f"{figures.clients} clients for {figures.seconds} s: {figures.requests} requests "
        f"({figures.per_second}/s)",
        "per kind: " + ", ".join(f"{kind} {count}" for kind, count in figures.per_kind.items()),
        "statuses: " + ", ".join(f"{status} x{n}" for status, n in figures.statuses.items()),
        f"5xx from the emulator: {figures.server_errors}; failed requests: {figures.failures}",
        f"activations accepted: {figures.accepted}; recorded: {figures.recorded}; "
        f"missing: {figures.missing}",
        "emulator RSS (MB): "
        + ", ".join(f"{k} {v}" for k, v in figures.rss_mb.items())
        + ("" if figures.memory_flat else "  (still growing)"),
    ]
    lines += [f"  e.g. {example}" for example in figures.examples]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds before the memory baseline (default: a sixth of the duration)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else args.duration / 6
    with tempfile.TemporaryDirectory(prefix="load-") as workdir:
        figures = asyncio.run(run(args.clients, args.duration, warmup, Path(workdir)))
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps({**asdict(figures), "ok": figures.ok}, indent=2) + "\n")
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
