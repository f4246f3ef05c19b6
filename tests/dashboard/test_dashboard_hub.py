"""The event hub: every subscribed page hears each activation; none can hold the emulator up."""

from __future__ import annotations

from emulator.dashboard.hub import QUEUE_SIZE, Event, EventHub
from emulator.invoker.observer import Observers
from emulator.namespace.entities import Activation, ActivationResponse, StatusCode


def finished(activation_id: str) -> Activation:
    return Activation(
        activation_id=activation_id,
        namespace="ns",
        name="hello",
        package="demo",
        version="0.0.1",
        subject="s",
        start=1_000,
        end=1_250,
        response=ActivationResponse(StatusCode.APPLICATION_ERROR, {"error": "nope"}),
    )


class Recorder:
    def __init__(self) -> None:
        self.heard: list[str] = []

    def started(self, activation_id: str, path: str, params: object) -> None:
        self.heard.append(f"started {activation_id}")

    def log_line(self, path: str, stream: str, text: str) -> None:
        self.heard.append(f"{stream} {text}")

    def notice(self, path: str, text: str) -> None:
        self.heard.append(f"notice {text}")

    def finished(self, activation: Activation) -> None:
        self.heard.append(f"finished {activation.activation_id}")


async def test_each_subscriber_hears_an_activation_start_and_end() -> None:
    hub = EventHub()
    async with hub.subscribe() as first, hub.subscribe() as second:
        hub.started("a1", "demo/hello", {})
        hub.finished(finished("a1"))
        for queue in (first, second):
            assert queue.get_nowait() == Event(
                "started", {"activationId": "a1", "function": "demo/hello"}
            )
            row = queue.get_nowait()
            assert row is not None and row.name == "activation"
            assert row.data == {
                "activationId": "a1",
                "function": "demo/hello",
                "start": 1_000,
                "duration": 250,
                "status": "application error",
                "success": False,
                "cold": False,
                "trigger": None,
            }
    assert hub.subscribers == 0


async def test_a_page_that_stops_reading_loses_events_but_still_hears_the_stop() -> None:
    hub = EventHub()
    async with hub.subscribe() as queue:
        for number in range(QUEUE_SIZE + 10):
            hub.started(f"a{number}", "demo/hello", {})
        assert queue.qsize() == QUEUE_SIZE
        hub.close()
        items = [queue.get_nowait() for _ in range(queue.qsize())]
        assert items[-1] is None
    async with hub.subscribe() as late:
        assert late.get_nowait() is None


def test_observers_tell_every_observer_and_skip_a_missing_one() -> None:
    one, two = Recorder(), Recorder()
    observers = Observers(one, None, two)
    observers.started("a1", "demo/hello", {})
    observers.log_line("demo/hello", "stdout", "hi")
    observers.notice("demo/hello", "debugger on 5678")
    observers.finished(finished("a1"))
    expected = ["started a1", "stdout hi", "notice debugger on 5678", "finished a1"]
    assert one.heard == expected
    assert two.heard == expected
