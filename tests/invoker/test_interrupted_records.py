"""An activation the emulator's shutdown stops is recorded with what it had: the log lines it
printed (shown live already) and its initTime and waitTime."""

from __future__ import annotations

from emulator.invoker import messages
from emulator.namespace.entities import Limits, StatusCode
from tests.invoker.recording import RecordingObserver
from tests.support.invoking import RID, annotation

SLOW = """
import sys, time
print("loading", flush=True)

def main(args):
    print("before the stop", flush=True)
    print("on stderr too", file=sys.stderr, flush=True)
    time.sleep(60)
"""

SLOW_TO_LOAD = """
import time
print("loading for ever", flush=True)
time.sleep(60)

def main(args):
    return {}
"""


async def test_a_stopped_activation_keeps_the_lines_it_printed_and_its_timings(
    make_invoker, functions, store
):
    observer = RecordingObserver()
    invoker = make_invoker(observer=observer)
    functions.add("slow", SLOW, limits=Limits(timeout=60_000))
    invocation = await invoker.invoke("pkg/slow", {}, request_id=RID)
    await observer.wait_for("log", "pkg/slow", "stderr", "on stderr too")
    await invoker.close()
    record = await store.get(invocation.activation_id)
    assert record.response.status_code is StatusCode.DEVELOPER_ERROR
    assert record.response.result == {"error": messages.EMULATOR_STOPPED}
    texts = [line.split(" ", 1)[1].strip() for line in record.logs]
    assert texts[:3] == [
        "stdout: loading",
        "stdout: before the stop",
        "stderr: on stderr too",
    ]
    assert isinstance(annotation(record, "initTime"), int)
    assert isinstance(annotation(record, "waitTime"), int)


async def test_a_function_stopped_while_it_loads_keeps_its_lines_and_an_init_time(
    make_invoker, functions, store
):
    observer = RecordingObserver()
    invoker = make_invoker(observer=observer)
    functions.add("stuck", SLOW_TO_LOAD, limits=Limits(timeout=60_000))
    invocation = await invoker.invoke("pkg/stuck", {}, request_id=RID)
    await observer.wait_for("log", "pkg/stuck", "stdout", "loading for ever", timeout=20)
    await invoker.close()
    record = await store.get(invocation.activation_id)
    assert record.response.result == {"error": messages.EMULATOR_STOPPED}
    assert any(line.endswith("stdout: loading for ever") for line in record.logs)
    assert annotation(record, "initTime") >= 0
    assert annotation(record, "waitTime") >= 0
