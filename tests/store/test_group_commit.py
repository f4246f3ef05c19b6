"""The store's one writer: concurrent writes share commits, and nothing queued is dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from emulator.namespace.entities import (
    Activation,
    ActivationResponse,
    PendingActivation,
    StatusCode,
)
from emulator.store.activation_store import ActivationStore

MakeActivation = Callable[..., Activation]
MakePending = Callable[..., PendingActivation]


async def test_a_thousand_concurrent_records_are_all_written_and_readable(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    activations = [make_activation(start=1_700_000_000_000 + i) for i in range(1000)]
    written = await asyncio.gather(*(store.finish(a) for a in activations))
    assert written == [True] * 1000
    assert await store.count(namespace="guest") == 1000
    assert await store.list(namespace="guest", limit=3) == activations[::-1][:3]


async def test_a_record_is_written_even_when_its_caller_stops_waiting(
    store: ActivationStore, make_activation: MakeActivation, db_path: Path
) -> None:
    activation = make_activation()
    waiting = asyncio.ensure_future(store.finish(activation))
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await store.close()
    reopened = await ActivationStore.open(db_path)
    try:
        assert await reopened.get(activation.activation_id) == activation
    finally:
        await reopened.close()


async def test_a_marker_still_queued_when_its_record_comes_is_never_written(
    store: ActivationStore, make_pending: MakePending
) -> None:
    pending = make_pending()
    marker = store.begin_soon(pending)
    record = pending.finished(pending.start + 5, ActivationResponse(StatusCode.SUCCESS, {}))
    assert await store.finish(record, marker=marker) is True
    await marker.done  # settled by the record's commit
    assert await store.interrupted() == []
    assert await store.get(pending.activation_id) == record


async def test_a_marker_written_before_its_record_is_removed_by_it(
    store: ActivationStore, make_pending: MakePending
) -> None:
    pending = make_pending()
    await store.begin(pending)
    assert [p.activation_id for p in await store.interrupted()] == [pending.activation_id]
    record = pending.finished(pending.start + 5, ActivationResponse(StatusCode.SUCCESS, {}))
    await store.finish(record)
    assert await store.interrupted() == []


async def test_a_record_already_written_is_refused_alone_in_a_batch_of_new_ones(
    store: ActivationStore, make_activation: MakeActivation, make_pending: MakePending
) -> None:
    first = make_activation()
    assert await store.finish(first) is True
    pendings = [make_pending() for _ in range(3)]
    await asyncio.gather(*(store.begin(p) for p in pendings))
    records = [
        p.finished(p.start + 5, ActivationResponse(StatusCode.SUCCESS, {"n": i}))
        for i, p in enumerate(pendings)
    ]
    again = replace(first, end=first.end + 1)
    # Queued together, so one batch: the duplicate sits between new records.
    written = await asyncio.gather(
        store.finish(records[0]), store.finish(again), *(store.finish(r) for r in records[1:])
    )
    assert written == [True, False, True, True]
    assert await store.get(first.activation_id) == first
    assert [await store.get(r.activation_id) for r in records] == records
    assert await store.interrupted() == []
