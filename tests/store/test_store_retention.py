"""Deleting old records: prune() and the periodic retention task."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import pytest

from emulator.namespace.entities import Activation, PendingActivation
from emulator.store import activation_store as activations_module
from emulator.store.activation_store import ActivationStore
from emulator.store.retention import prune_periodically

MakeActivation = Callable[..., Activation]
DAY_MS = 24 * 60 * 60 * 1000


class FakeClock:
    def __init__(self, now_ms: int) -> None:
        self.now = now_ms

    def now_ns(self) -> int:
        return self.now * 1_000_000

    def now_ms(self) -> int:
        return self.now

    def monotonic(self) -> float:
        return self.now / 1000


async def eventually_gone(store: ActivationStore, activation_id: str) -> None:
    async with asyncio.timeout(5):
        while await store.get(activation_id) is not None:
            await asyncio.sleep(0.01)


async def test_prune_deletes_records_that_started_before_the_cutoff(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    old, at_cutoff, new = (make_activation(start=s) for s in (999, 1000, 1001))
    for activation in (old, at_cutoff, new):
        await store.finish(activation)
    assert await store.prune(1000) == 1
    assert await store.list(namespace="guest") == [new, at_cutoff]
    assert await store.prune(1000) == 0


async def test_prune_deletes_every_old_record_however_many_batches_it_takes(
    store: ActivationStore, make_activation: MakeActivation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activations_module, "_PRUNE_BATCH", 2)
    for start in range(7):
        await store.finish(make_activation(start=start))
    assert await store.prune(5) == 5
    assert await store.count(namespace="guest") == 2


async def test_prune_leaves_activations_still_running_alone(
    store: ActivationStore, make_pending: Callable[..., PendingActivation]
) -> None:
    running = make_pending(start=1)
    await store.begin(running)
    await store.prune(1000)
    assert await store.interrupted() == [running]


async def test_periodic_pruning_deletes_records_older_than_the_retention(
    store: ActivationStore, make_activation: MakeActivation
) -> None:
    clock = FakeClock(now_ms=10 * DAY_MS)
    expired = make_activation(start=clock.now - 3 * DAY_MS - 1)
    kept = make_activation(start=clock.now - DAY_MS)
    for activation in (expired, kept):
        await store.finish(activation)

    task = asyncio.create_task(
        prune_periodically(store, retention_ms=3 * DAY_MS, clock=clock, interval=0.01)
    )
    try:
        await eventually_gone(store, expired.activation_id)
        assert await store.get(kept.activation_id) == kept

        clock.now += 2 * DAY_MS + 1
        await eventually_gone(store, kept.activation_id)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
