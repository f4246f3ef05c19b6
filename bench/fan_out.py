"""Scenario 5: non-blocking invokes sent as fast as the clients can, then the wait until every
accepted one has its record."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator

import aiohttp
from harness import API, Runtime, Served, descendants, new_session
from outcome import Outcome
from report import Figure, at_least, at_most

SCENARIO = "5 fan-out, non-blocking"
RECORDS_TIMEOUT = 180.0
POLL = 0.1


async def sender(
    session: aiohttp.ClientSession,
    url: str,
    tickets: Iterator[int],
    statuses: Counter[int],
    deadline: float,
) -> None:
    for _ in tickets:
        if time.perf_counter() > deadline:
            return
        try:
            async with session.post(url, params={"blocking": "false"}, json={}) as response:
                await response.read()
                statuses[response.status] += 1
        except aiohttp.ClientError:
            statuses[0] += 1


async def count_records(
    session: aiohttp.ClientSession, base_url: str, name: str, since: int
) -> int:
    params = {"count": "true", "name": name, "since": str(since)}
    async with session.get(f"{base_url}{API}/activations", params=params) as response:
        doc = await response.json() if response.status == 200 else {}
    return int(doc.get("activations", -1))


async def watch_processes(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    """The most processes below the emulator at any moment: what the burst cost."""
    while not stop.is_set():
        peak[0] = max(peak[0], len(descendants(pid)))
        await asyncio.sleep(0.25)


async def measure(
    served: Served, runtime: Runtime, invokes: int, clients: int, max_seconds: float
) -> Outcome:
    """`invokes` non-blocking invokes, or as many as `max_seconds` of sending allows."""
    outcome = Outcome()
    url = f"{served.url}{API}/actions/{runtime.function}"
    statuses: Counter[int] = Counter()
    since = int(time.time() * 1000) - 1
    peak = [0]
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_processes(served.process.pid, peak, stop))
    tickets = iter(range(invokes))
    started = time.perf_counter()
    sessions = [new_session() for _ in range(clients)]
    try:
        async with asyncio.TaskGroup() as group:
            for session in sessions:
                group.create_task(sender(session, url, tickets, statuses, started + max_seconds))
    finally:
        for session in sessions:
            await session.close()
    sent_for = time.perf_counter() - started
    accepted = statuses[202]
    sent = sum(statuses.values())
    found = -1
    async with new_session() as session:
        while time.perf_counter() - started < RECORDS_TIMEOUT:
            found = await count_records(session, served.url, runtime.function, since)
            if found >= accepted:
                break
            await asyncio.sleep(POLL)
    all_there = time.perf_counter() - started
    stop.set()
    await watcher
    lost = max(accepted - found, 0) if found >= 0 else accepted
    outcome.figures += [
        Figure(SCENARIO, "accepted (202) per second", accepted / sent_for, "/s", at_least(3000)),
        Figure(SCENARIO, "until every record exists", all_there, "s"),
        Figure(SCENARIO, "records lost", lost, "", at_most(0)),
        Figure(SCENARIO, "sent", sent, ""),
        Figure(SCENARIO, "refused (not 202)", sent - accepted, ""),
        Figure(SCENARIO, "most processes at once", peak[0], ""),
    ]
    if sent - accepted:
        outcome.failures.append(f"fan-out: answers by status {dict(statuses)}")
    if found < accepted:
        outcome.failures.append(
            f"fan-out: {found} of {accepted} records after {RECORDS_TIMEOUT:.0f} s"
        )
    outcome.notes.append(
        f"5: {invokes:,} `POST …/actions/{runtime.function}?blocking=false` from {clients} "
        f"keep-alive clients, or as many as {max_seconds:.0f} s of sending allowed; records "
        f"counted with `GET …/activations?count=true&name=…&since=…` every {POLL} s; lost = "
        f"accepted − records found (after {RECORDS_TIMEOUT:.0f} s at "
        "most)."
    )
    return outcome
