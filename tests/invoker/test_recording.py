"""What is committed when: an activation id a caller may hand out always has its pending
marker or its record in the database (so a kill -9 cannot lose it)."""

from __future__ import annotations

from tests.support.invoking import RID

SLEEPER = """
import time

def main(args):
    time.sleep(args.get("seconds", 0))
    return {"slept": args.get("seconds", 0)}
"""


async def pending_ids(store) -> set[str]:
    return {p.activation_id for p in await store.interrupted()}


async def test_a_non_blocking_call_is_marked_before_invoke_returns(invoker, functions, store):
    functions.add("sleeper", SLEEPER)
    invocation = await invoker.invoke("pkg/sleeper", {"seconds": 1}, request_id=RID)
    assert invocation.activation_id in await pending_ids(store)
    await invocation.done
    assert await pending_ids(store) == set()
    assert await store.get(invocation.activation_id) is not None


async def test_a_blocking_call_that_outlasts_its_wait_is_marked_before_the_wait_gives_up(
    invoker, functions, store
):
    functions.add("sleeper", SLEEPER)
    invocation = await invoker.invoke("pkg/sleeper", {"seconds": 1}, request_id=RID, blocking=True)
    assert await invocation.wait(0.01) is None
    assert invocation.activation_id in await pending_ids(store)
    finished = await invocation.done
    assert await store.get(invocation.activation_id) == finished
    assert await pending_ids(store) == set()


async def test_a_blocking_call_is_recorded_before_its_answer(invoker, functions, store):
    functions.add("sleeper", SLEEPER)
    before = await store.count(namespace="fn-test")
    invocation = await invoker.invoke("pkg/sleeper", {}, request_id=RID, blocking=True)
    activation = await invocation.wait(None)
    assert activation is not None
    assert await store.get(invocation.activation_id) == activation
    assert await pending_ids(store) == set()
    assert await store.count(namespace="fn-test") == before + 1
