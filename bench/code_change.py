"""Scenarios 4 and 7, which both start with a saved source file: the cold start (the first call
once the changed function is live) and the hot reload (from the write to the first call that
returns the new result). Both change the bench project's copy, never the sample."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import aiohttp
from harness import (
    API,
    Endpoint,
    Runtime,
    Served,
    action_endpoint,
    new_session,
    percentile,
    request,
)
from outcome import Outcome
from report import Figure, at_most

COLD = "4 cold start after a code change"
RELOAD = "7 hot reload, write to new result"
LIVE_TIMEOUT = 30.0
RECORD_TIMEOUT = 5.0
# The issue's targets; the other runtimes' figures are shown without one.
COLD_TARGETS = {"python": 20.0, "node": 40.0}
RELOAD_TARGETS = {"python": 300.0}


def comment(runtime: Runtime, text: str) -> str:
    return f"\n# {text}\n" if runtime.source.endswith(".py") else f"\n// {text}\n"


async def deployed(session: aiohttp.ClientSession, base_url: str, function: str) -> object:
    """What identifies the deployed function: its version and update time. (Its `code` is
    read from the file on disk, so it changes before the reload has happened.)"""
    async with session.get(f"{base_url}{API}/actions/{function}", params={"code": "false"}) as got:
        doc = await got.json() if got.status == 200 else {}
    return (doc.get("version"), doc.get("updated"))


async def wait_live(served: Served, runtime: Runtime, before: object) -> None:
    """Until the API serves another deployment of the function than `before`."""
    deadline = time.monotonic() + LIVE_TIMEOUT
    async with new_session() as session:
        while await deployed(session, served.url, runtime.function) == before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{runtime.function}: the change was not live after 30 s")
            await asyncio.sleep(0.01)


async def restore(served: Served, runtime: Runtime, source: Path, original: str) -> None:
    """Put the source back, and wait for that reload: the next runtime's timing must not
    share a reload with it."""
    async with new_session() as session:
        before = await deployed(session, served.url, runtime.function)
    source.write_text(original)
    await wait_live(served, runtime, before)


async def init_time(session: aiohttp.ClientSession, base_url: str, activation: str) -> int | None:
    """The record's initTime annotation; the blocking answer can leave before the record is
    written, so it is read again for a moment."""
    deadline = time.monotonic() + RECORD_TIMEOUT
    while time.monotonic() < deadline:
        async with session.get(f"{base_url}{API}/activations/{activation}") as response:
            if response.status == 200:
                record = await response.json()
                values = [
                    a["value"] for a in record.get("annotations", []) if a.get("key") == "initTime"
                ]
                return values[0] if values and isinstance(values[0], int) else None
        await asyncio.sleep(0.02)
    return None


async def cold_starts(
    served: Served, package: Path, runtimes: Sequence[Runtime], runs: int
) -> Outcome:
    """Per runtime, `runs` times: save the source with a new comment (the result does not
    change), wait until the API serves it, then time the first invoke."""
    outcome = Outcome()
    for runtime in runtimes:
        source = package / runtime.source
        original = source.read_text()
        latencies: list[float] = []
        inits: list[int] = []
        for run in range(runs):
            async with new_session() as session:
                before = await deployed(session, served.url, runtime.function)
            source.write_text(original + comment(runtime, f"bench cold {run} {time.time_ns()}"))
            try:
                await wait_live(served, runtime, before)
            except TimeoutError as error:
                outcome.failures.append(str(error))
                continue
            async with new_session() as session:
                async with session.get(served.url + "/api/v1") as opened:
                    await opened.read()
                answer = await request(session, action_endpoint(served.url, runtime.function))
                if answer.failure or answer.activation_id is None:
                    outcome.failures.append(f"cold {runtime.function}: {answer.failure}")
                    continue
                latencies.append(answer.latency * 1000)
                init = await init_time(session, served.url, answer.activation_id)
                if init is not None:
                    inits.append(init)
        await restore(served, runtime, source, original)
        outcome.figures += [
            *median_and_p99(COLD, runtime.name, latencies, COLD_TARGETS),
            Figure(
                COLD,
                f"{runtime.name} initTime p50",
                statistics.median(inits) if inits else None,
                "ms",
            ),
        ]
    outcome.notes.append(
        f"4: {runs} run(s) per runtime: the source saved with a new comment, then, once "
        "`GET …/actions/<function>` shows a new `version` or `updated` (the reload is live), "
        "the first blocking invoke from a connection opened beforehand; initTime is that "
        "activation's annotation. Go's figure includes whatever compiling is left for that "
        "call (with the user's warm build cache)."
    )
    return outcome


def median_and_p99(
    scenario: str, runtime: str, timings: list[float], targets: Mapping[str, float]
) -> list[Figure]:
    """A runtime's p50 of `timings` (ms), judged against its target if it has one, and p99."""
    target = at_most(targets[runtime]) if runtime in targets else None
    median = statistics.median(timings) if timings else None
    return [
        Figure(scenario, f"{runtime} p50", median, "ms", target),
        Figure(scenario, f"{runtime} p99", percentile(timings, 99), "ms"),
    ]


async def hot_reloads(
    served: Served, package: Path, runtimes: Sequence[Runtime], runs: int
) -> Outcome:
    """Per runtime, `runs` times: save a source whose greeting changes, then invoke in a tight
    loop until the new greeting comes back; the time from the write to that answer."""
    outcome = Outcome()
    for runtime in runtimes:
        source = package / runtime.source
        original = source.read_text()
        timings: list[float] = []
        # Any answer will do: the greeting is what changes.
        endpoint = replace(
            action_endpoint(served.url, runtime.function),
            accept=lambda result: isinstance(result, dict),
        )
        for run in range(runs):
            mark = f"v{run}x{time.time_ns() % 10_000}"
            async with new_session() as session:
                # The connection is open before the clock starts.
                await request(session, endpoint)
                started = time.perf_counter()
                source.write_text(original.replace("Hello ", f"Hello {mark} ", 1))
                elapsed = await until_new(session, endpoint, mark, started)
            if elapsed is None:
                outcome.failures.append(f"reload {runtime.function}: no new result after 30 s")
            else:
                timings.append(elapsed * 1000)
        await restore(served, runtime, source, original)
        outcome.figures += median_and_p99(RELOAD, runtime.name, timings, RELOAD_TARGETS)
    outcome.notes.append(
        f"7: {runs} run(s) per runtime: from writing a source whose greeting changes to the "
        "first blocking invoke (sent back to back on one connection) that returns it."
    )
    return outcome


async def until_new(
    session: aiohttp.ClientSession, endpoint: Endpoint, mark: str, started: float
) -> float | None:
    while time.perf_counter() - started < LIVE_TIMEOUT:
        answer = await request(session, endpoint)
        if answer.failure is None and mark in str(answer.body):
            return time.perf_counter() - started
    return None
