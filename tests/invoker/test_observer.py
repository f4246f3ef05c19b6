"""The invoker tells an observer of each activation and of each log line as it is printed."""

from __future__ import annotations

from emulator.invoker.messages import logs_truncated
from emulator.namespace.entities import MAX_LOG_BYTES
from tests.invoker.recording import RecordingObserver
from tests.support.invoking import RID, run

PRINTS_SLEEPS_PRINTS = """
import sys, time

def main(event):
    print("first")
    time.sleep(1)
    print("second", file=sys.stderr)
    return {}
"""


async def test_a_log_line_arrives_while_the_function_still_runs(make_invoker, functions):
    observer = RecordingObserver()
    invoker = make_invoker(observer=observer)
    functions.add("slow", PRINTS_SLEEPS_PRINTS)
    invocation = await invoker.invoke("pkg/slow", {}, request_id=RID)
    await observer.wait_for("log", "pkg/slow", "stdout", "first")
    assert not invocation.done.done()
    activation = await invocation.done
    assert observer.events == [
        ("started", "pkg/slow", activation.activation_id),
        ("log", "pkg/slow", "stdout", "first"),
        ("log", "pkg/slow", "stderr", "second"),
        ("finished", "pkg/slow", activation.activation_id),
    ]


async def test_the_observer_gets_the_stored_record(make_invoker, functions):
    observer = RecordingObserver()
    invoker = make_invoker(observer=observer)
    functions.add("hello", "def main(event):\n    return {'body': 'hi'}\n")
    activation = await run(invoker, "pkg/hello")
    assert observer.activations == [activation]


async def test_without_an_observer_logs_are_still_recorded(invoker, functions):
    functions.add("talk", "def main(event):\n    print('said')\n    return {}\n")
    activation = await run(invoker, "pkg/talk")
    assert activation.logs[0].endswith("stdout: said")


async def test_the_live_log_stops_where_the_record_truncates_and_says_so(make_invoker, functions):
    observer = RecordingObserver()
    invoker = make_invoker(observer=observer)
    functions.add(
        "flood",
        "def main(event):\n    for n in range(40_000):\n        print('x' * 49)\n    return {}\n",
    )
    activation = await run(invoker, "pkg/flood")
    heard = [event[3] for event in observer.events if event[0] == "log"]
    assert heard[-1] == logs_truncated(MAX_LOG_BYTES)
    assert heard[:-1] == ["x" * 49] * len(heard[:-1])
    assert 50 * len(heard[:-1]) <= MAX_LOG_BYTES < 50 * 40_000
    assert len(activation.logs) == len(heard)
