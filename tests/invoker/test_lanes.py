"""Lanes: non-blocking activations queued per function, run by a number of runners that grows
for slow calls and stays small for quick ones; closing them leaves nothing unaccounted for."""

from __future__ import annotations

import asyncio
import time

import pytest

from emulator.invoker.lanes import INITIAL_RUNNERS, Lanes


class Work:
    """Runs items that sleep for their value, counting how many run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.started: list[float] = []

    async def __call__(self, seconds: float) -> float:
        self.running += 1
        self.most = max(self.most, self.running)
        self.started.append(seconds)
        try:
            await asyncio.sleep(seconds)
        finally:
            self.running -= 1
        return seconds


async def test_a_burst_of_quick_calls_is_run_by_a_few_runners_in_order():
    work = Work()
    lanes: Lanes[float, float] = Lanes(work)
    futures = [lanes.submit("pkg/quick", 0.0) for _ in range(200)]
    assert lanes.in_flight == 200
    assert await asyncio.gather(*futures) == [0.0] * 200
    assert work.most <= INITIAL_RUNNERS
    assert lanes.in_flight == 0


async def test_slow_calls_each_get_a_runner_of_their_own_soon():
    work = Work()
    lanes: Lanes[float, float] = Lanes(work)
    started = time.monotonic()
    await asyncio.gather(*(lanes.submit("pkg/slow", 0.5) for _ in range(40)))
    assert work.most == 40
    # Doubling from two every 50 ms: all forty run within a quarter of a second.
    assert time.monotonic() - started < 1.5


async def test_each_function_has_a_lane_of_its_own():
    work = Work()
    lanes: Lanes[float, float] = Lanes(work, limit=1)
    await asyncio.gather(lanes.submit("pkg/a", 0.2), lanes.submit("pkg/b", 0.2))
    assert work.most == 2


async def test_a_failure_goes_to_its_own_call_and_the_lane_goes_on():
    async def run(item: int) -> int:
        if item == 1:
            raise ValueError("no")
        return item

    lanes: Lanes[int, int] = Lanes(run)
    futures = [lanes.submit("pkg/fn", item) for item in range(3)]
    done = await asyncio.gather(*futures, return_exceptions=True)
    assert done[0] == 0 and done[2] == 2
    assert isinstance(done[1], ValueError)


async def test_closing_stops_the_running_calls_and_abandons_the_waiting_ones():
    work = Work()
    lanes: Lanes[float, float] = Lanes(work, limit=1)
    futures = [lanes.submit("pkg/slow", 60.0) for _ in range(3)]
    await asyncio.sleep(0.05)
    abandoned: list[float] = []

    async def abandon(item: float) -> None:
        abandoned.append(item)

    await lanes.close(abandon)
    assert all(future.cancelled() for future in futures)
    assert abandoned == [60.0, 60.0]
    assert work.running == 0
    assert lanes.in_flight == 0
    with pytest.raises(asyncio.CancelledError):
        await futures[0]
