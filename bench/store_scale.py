"""Scenario 6: the activation store holding a million records. The rows are generated straight
into a database that the store itself created (its schema, its indexes); the insert rate goes
through the store's own API; the three reads are timed on the store and over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import API, Endpoint, Sample, Served, percentile, timed
from outcome import Outcome
from report import Figure, at_least, at_most

from emulator.namespace.clock import IdFactory
from emulator.namespace.documents import activation_to_json
from emulator.namespace.entities import Activation, ActivationResponse, Annotations, StatusCode
from emulator.settings import DEFAULT_CREDENTIALS
from emulator.store.activation_store import ActivationStore

SCENARIO = "6 store at {records:,} records"
NAMESPACE = DEFAULT_CREDENTIALS.default_namespace
PACKAGE = "sample"
NAMES = tuple(f"fn{index}" for index in range(10))
LISTED = f"{PACKAGE}/{NAMES[3]}"
# Far enough apart to spread over hours, close enough that 72 h of retention keeps them all.
SPACING_MS = 100
CHUNK = 50_000
GENERATION_PRAGMAS = (
    "journal_mode = OFF",
    "synchronous = OFF",
    "cache_size = -1000000",
    "temp_store = MEMORY",
)


def record(activation_id: str, name: str, start: int) -> Activation:
    """A record shaped like a greeting's: its result, one log line, the usual annotations."""
    return Activation(
        activation_id=activation_id,
        namespace=NAMESPACE,
        name=name,
        package=PACKAGE,
        version="0.0.1",
        subject=DEFAULT_CREDENTIALS.subject,
        start=start,
        end=start + 3,
        response=ActivationResponse(StatusCode.SUCCESS, {"body": "Hello bench!"}),
        logs=(f"2026-11-28T00:00:00.000000000Z stdout: greeted bench from /{NAMESPACE}",),
        annotations=Annotations.of(
            {
                "path": f"{NAMESPACE}/{PACKAGE}/{name}",
                "kind": "python:3.11",
                "limits": {"logs": 16, "memory": 256, "timeout": 3000},
                "waitTime": 1,
            }
        ),
    )


# Ids as the emulator makes them: their time first (emulator/clock.py).
IDS = IdFactory()


def rows(count: int, now_ms: int) -> Iterator[tuple[Any, ...]]:
    """`count` rows, oldest first, each a record's columns and its JSON."""
    template = json.dumps(
        activation_to_json(record("@id@", "@name@", 1_111_111_111_111)), separators=(",", ":")
    )
    template = template.replace("%", "%%").replace("@id@", "%(id)s").replace("@name@", "%(name)s")
    template = template.replace("1111111111111", "%(start)d").replace("1111111111114", "%(end)d")
    first = now_ms - count * SPACING_MS
    for index in range(count):
        name, start = NAMES[index % len(NAMES)], first + index * SPACING_MS
        activation_id = IDS.activation_id(start)
        doc = template % {"id": activation_id, "name": name, "start": start, "end": start + 3}
        yield (activation_id, NAMESPACE, name, PACKAGE, start, start + 3, 0, doc)


async def generate(path: Path, count: int) -> float:
    """Fill a new store at `path` with `count` records; the seconds it took."""
    store = await ActivationStore.open(path)
    await store.close()
    started = time.perf_counter()
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        # A file nobody else has open yet: no journal, no fsync, and a cache that holds the
        # indexes, so that the random ids do not turn every insert into a disk read.
        for pragma in GENERATION_PRAGMAS:
            db.execute(f"PRAGMA {pragma}").fetchall()
        db.execute("BEGIN")
        generated = rows(count, int(time.time() * 1000))
        while chunk := [row for _, row in zip(range(CHUNK), generated, strict=False)]:
            db.executemany(
                'INSERT INTO activations (activation_id, namespace, name, package, start, "end",'
                " status_code, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                chunk,
            )
        db.execute("COMMIT")
        # Back to what the store opens, WAL.
        db.execute("PRAGMA journal_mode = WAL").fetchall()
    return time.perf_counter() - started


async def insert_rate(store: ActivationStore, count: int) -> float:
    """Records written per second through `finish`, all submitted at once as a burst of
    activations ending together would submit them."""
    now = int(time.time() * 1000)
    records = [record(IDS.activation_id(), NAMES[i % len(NAMES)], now + i) for i in range(count)]
    started = time.perf_counter()
    await asyncio.gather(*(store.finish(activation) for activation in records))
    return count / (time.perf_counter() - started)


async def call_latency(call: Callable[[], Awaitable[object]], repeat: int) -> float:
    """p50 of `call` in milliseconds."""
    latencies = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - started)
    return percentile(latencies, 50) * 1000


async def direct(path: Path, inserts: int, repeat: int) -> tuple[float, dict[str, float], str]:
    """The insert rate, the three reads' p50 on the store itself, and one record's id."""
    store = await ActivationStore.open(path)
    try:
        rate = await insert_rate(store, inserts)
        newest = await store.list(namespace=NAMESPACE, limit=30)
        some_id = newest[-1].activation_id
        reads = {
            "newest 30": await call_latency(lambda: store.list(namespace=NAMESPACE), repeat),
            "by name": await call_latency(
                lambda: store.list(namespace=NAMESPACE, name=LISTED), repeat
            ),
            "get by id": await call_latency(lambda: store.get(some_id), repeat),
        }
    finally:
        await store.close()
    return rate, reads, some_id


async def over_http(served: Served, some_id: str, repeat: int) -> dict[str, Sample]:
    activations = f"{served.url}{API}/activations"
    is_list = lambda doc: isinstance(doc, list) and len(doc) == 30  # noqa: E731
    endpoints = {
        "newest 30": Endpoint(activations, is_list, "GET", {"limit": "30"}),
        "by name": Endpoint(activations, is_list, "GET", {"limit": "30", "name": LISTED}),
        "get by id": Endpoint(
            f"{activations}/{some_id}", lambda doc: doc.get("activationId") == some_id, "GET"
        ),
    }
    return {what: await timed(what, endpoint, repeat) for what, endpoint in endpoints.items()}


HTTP_TARGETS = {"newest 30": 5.0, "by name": 10.0, "get by id": 1.0}


@dataclass(frozen=True, slots=True)
class Prepared:
    """A store of `records` records at `path`, and what was measured on it directly."""

    path: Path
    records: int
    generated_in: float
    insert_rate: float
    reads: dict[str, float]
    some_id: str


async def prepare(path: Path, records: int, inserts: int, repeat: int) -> Prepared:
    """Generate the store, then time it on its own, before an emulator opens it."""
    seconds = await generate(path, records)
    rate, reads, some_id = await direct(path, inserts, repeat)
    return Prepared(path, records, seconds, rate, reads, some_id)


async def measure(served: Served, prepared: Prepared, inserts: int, repeat: int) -> Outcome:
    """The API's reads on an emulator serving the prepared store, and all the figures."""
    outcome = Outcome()
    http = await over_http(served, prepared.some_id, repeat)
    outcome.failed(*http.values())
    scenario = SCENARIO.format(records=prepared.records)
    outcome.figures += [
        Figure(scenario, f"{what} over HTTP p50", s.p50_ms(), "ms", at_most(HTTP_TARGETS[what]))
        for what, s in http.items()
    ]
    outcome.figures += [
        Figure(scenario, f"{what} over HTTP p99", s.p99_ms(), "ms") for what, s in http.items()
    ]
    outcome.figures += [
        Figure(scenario, f"{what} on the store p50", ms, "ms")
        for what, ms in prepared.reads.items()
    ]
    outcome.figures += [
        Figure(
            scenario, "records written per second", prepared.insert_rate, "/s", at_least(20_000)
        ),
        Figure(scenario, "generated in", prepared.generated_in, "s"),
    ]
    outcome.notes.append(
        f"6: {prepared.records:,} records generated with one executemany transaction into a "
        f"store the emulator's own code created, {len(NAMES)} function names, {SPACING_MS} ms "
        f"apart; insert rate: {inserts:,} `ActivationStore.finish` calls submitted at once; "
        f"reads repeated {repeat} times, on the store (in process) and over HTTP (`GET "
        f"…/activations?limit=30`, `…&name={LISTED}`, `…/activations/<id>`). The emulator of "
        "scenarios 1-5, 7 and 10 serves this store, and these reads come first."
    )
    return outcome
