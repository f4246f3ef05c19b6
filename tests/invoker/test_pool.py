"""The warm pool reuses idle processes and retires the ones idle for too long."""

from __future__ import annotations

import asyncio

from emulator.invoker.pool import WarmPool
from tests.support.invoking import RID, SteppedClock
from tests.support.servers import process_alive

PID_FUNCTION = "import os\ndef main():\n    return {'pid': os.getpid()}\n"


async def pid_of(invoker, path):
    activation = await (await invoker.invoke(path, {}, request_id=RID)).done
    return activation.response.result["pid"]


async def test_processes_idle_past_ten_minutes_are_retired(make_invoker, functions):
    clock = SteppedClock()
    pool = WarmPool(clock, idle_seconds=600)
    invoker = make_invoker(clock=clock, pool=pool)
    action = functions.add("pid", PID_FUNCTION)
    first = await pid_of(invoker, "pkg/pid")
    assert pool.warm_count(action) == 1
    clock.offset = 599
    assert await pool.evict_idle() == 0
    assert await pid_of(invoker, "pkg/pid") == first
    clock.offset = 599 + 601
    assert await pool.evict_idle() == 1
    assert pool.warm_count(action) == 0
    assert not process_alive(first)
    assert await pid_of(invoker, "pkg/pid") != first


async def test_a_redeployed_function_does_not_reuse_the_old_version_s_processes(invoker, functions):
    functions.add("pid", PID_FUNCTION)
    before = await pid_of(invoker, "pkg/pid")
    functions.add("pid", PID_FUNCTION)  # a new deployment of the same name
    assert await pid_of(invoker, "pkg/pid") != before


async def test_closing_the_pool_stops_every_process(make_invoker, functions):
    pool = WarmPool(SteppedClock(), idle_seconds=600)
    invoker = make_invoker(pool=pool)
    functions.add("pid", PID_FUNCTION)
    pid = await pid_of(invoker, "pkg/pid")
    await pool.close()
    assert not process_alive(pid)


async def test_a_process_busy_when_its_function_is_retired_stops_after_its_activation(
    make_invoker, functions
):
    pool = WarmPool(SteppedClock(), idle_seconds=600)
    invoker = make_invoker(pool=pool)
    action = functions.add(
        "slowpid",
        "import os, time\ndef main():\n    time.sleep(1)\n    return {'pid': os.getpid()}\n",
    )
    invocation = await invoker.invoke("pkg/slowpid", {}, request_id=RID)
    await asyncio.sleep(0.5)
    # A reload while it runs: nothing of this version is served any more.
    assert await pool.retire(lambda key: True) == 0
    activation = await invocation.done
    assert activation.response.success
    assert pool.warm_count(action) == 0
    assert not process_alive(activation.response.result["pid"])


async def test_past_the_idle_cap_the_least_recently_used_process_stops(make_invoker, functions):
    pool = WarmPool(SteppedClock(), idle_seconds=600, max_idle=2)
    invoker = make_invoker(pool=pool)
    for name in ("a", "b", "c"):
        functions.add(name, PID_FUNCTION)
    first_a = await pid_of(invoker, "pkg/a")
    first_b = await pid_of(invoker, "pkg/b")
    # `a` is used again, so `b` is now the least recently used.
    assert await pid_of(invoker, "pkg/a") == first_a
    first_c = await pid_of(invoker, "pkg/c")
    await _until(lambda: not process_alive(first_b))
    assert pool.idle_count == 2
    assert process_alive(first_a) and process_alive(first_c)
    assert await pid_of(invoker, "pkg/a") == first_a
    assert await pid_of(invoker, "pkg/b") != first_b


async def test_without_a_cap_every_idle_process_stays(make_invoker, functions):
    pool = WarmPool(SteppedClock(), idle_seconds=600, max_idle=None)
    invoker = make_invoker(pool=pool)
    pids = []
    for name in ("a", "b", "c"):
        functions.add(name, PID_FUNCTION)
        pids.append(await pid_of(invoker, f"pkg/{name}"))
    assert pool.idle_count == 3
    assert all(process_alive(pid) for pid in pids)


async def _until(condition, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the condition never held"
        await asyncio.sleep(0.02)
