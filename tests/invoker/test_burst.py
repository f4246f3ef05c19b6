"""A burst of calls to a quick function reuses a few processes instead of starting one each."""

from __future__ import annotations

import asyncio

from emulator.invoker.pool import MAX_STARTING_PER_FUNCTION
from tests.support.invoking import RID

QUICK = """
import os

def main(args):
    return {"pid": os.getpid()}
"""
SLOW = """
import os, time

def main(args):
    time.sleep(1)
    return {"pid": os.getpid()}
"""


async def burst(invoker, path: str, calls: int) -> list[int]:
    invocations = [await invoker.invoke(path, {}, request_id=RID) for _ in range(calls)]
    done = await asyncio.gather(*(invocation.done for invocation in invocations))
    return [activation.response.result["pid"] for activation in done]


async def test_a_burst_of_quick_calls_starts_a_few_processes_not_one_per_call(invoker, functions):
    functions.add("quick", QUICK)
    pids = await burst(invoker, "pkg/quick", 24)
    assert len(pids) == 24
    assert len(set(pids)) <= 3 * MAX_STARTING_PER_FUNCTION


async def test_calls_that_outlast_a_start_still_each_get_a_process(invoker, functions):
    functions.add("slow", SLOW)
    pids = await burst(invoker, "pkg/slow", 6)
    assert len(set(pids)) == 6
