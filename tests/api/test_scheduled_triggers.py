"""DigitalOcean's scheduled-trigger routes, and triggers firing on a clock the test moves."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulator.cli.banner import banner
from emulator.dashboard import dashboard_link
from emulator.namespace.entities import ScheduledTrigger
from emulator.services import SERVICES
from tests.support.records import wait_for_record
from tests.support.routes import ACTIVATIONS, NAMESPACE, SCHEDULED_TRIGGERS

# A Sunday, half a minute past noon UTC.
START = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)


class ManualClock:
    """Wall time that moves only when the test says; the scheduler's sleeps end when it does.
    Durations (monotonic) stay real, for the processes' own timings."""

    def __init__(self, start: datetime) -> None:
        self._ms = int(start.timestamp() * 1000)
        self._sleepers: list[tuple[int, int, asyncio.Future[None]]] = []
        # How many times the clock moved: a sleep begun after the last move is a settled one.
        self._moves = 0

    def now_ns(self) -> int:
        return self._ms * 1_000_000

    def now_ms(self) -> int:
        return self._ms

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self._ms + int(seconds * 1000), self._moves, future)
        self._sleepers.append(entry)
        try:
            await future
        finally:
            self._sleepers.remove(entry)

    def advance(self, seconds: float) -> None:
        self._ms += int(seconds * 1000)
        self._moves += 1
        for wake, _, future in self._sleepers:
            if wake <= self._ms and not future.done():
                future.set_result(None)

    @property
    def sleeping(self) -> int:
        """How many sleeps wait on this clock."""
        return len(self._sleepers)

    async def settled(self, timeout: float = 30) -> None:
        """Until the scheduler sleeps towards a time still to come (a sleep the last move did
        not end, or one begun since): it has fired whatever the move made due, and fires
        nothing more until the clock moves again."""
        deadline = time.monotonic() + timeout
        while not any(
            not future.done() and (moves == self._moves or wake > self._ms)
            for wake, moves, future in self._sleepers
        ):
            assert time.monotonic() < deadline, "the scheduler did not go back to sleep"
            await asyncio.sleep(0.005)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def client(make_client: Any, clock: ManualClock) -> TestClient[Any, Any]:
    return await make_client("triggers", app_options={"clock": clock, "sleep": clock.sleep})


async def triggers_by_name(client: TestClient[Any, Any]) -> dict[str, Any]:
    response = await client.get(SCHEDULED_TRIGGERS)
    assert response.status == 200
    return {t["name"]: t for t in (await response.json())["triggers"]}


async def test_list_shows_each_trigger_as_digitalocean_does(client: TestClient[Any, Any]) -> None:
    triggers = await triggers_by_name(client)
    assert list(triggers) == ["every-five-minutes", "weekday-mornings", "paused"]
    assert triggers["every-five-minutes"] == {
        "namespace": NAMESPACE,
        "function": "cron/echo",
        "type": "SCHEDULED",
        "name": "every-five-minutes",
        "is_enabled": True,
        "created_at": "2026-03-01T12:00:30Z",
        "updated_at": "2026-03-01T12:00:30Z",
        "scheduled_details": {"cron": "*/5 * * * *", "body": {"source": "legacy"}},
        "scheduled_runs": {"last_run_at": None, "next_run_at": "2026-03-01T12:05:00Z"},
    }
    # Monday is the next weekday after this Sunday.
    assert triggers["weekday-mornings"]["scheduled_runs"]["next_run_at"] == "2026-03-02T09:00:00Z"
    paused = triggers["paused"]
    assert paused["is_enabled"] is False
    assert paused["scheduled_runs"] == {"last_run_at": None, "next_run_at": None}


async def test_routes_need_the_key_and_answer_for_the_named_namespace(
    make_client: Any,
) -> None:
    client = await make_client("triggers", authorized=False)
    assert (await client.get(SCHEDULED_TRIGGERS)).status == 401
    assert (await client.post(f"{SCHEDULED_TRIGGERS}/paused/fire")).status == 401
    authorized = await make_client("triggers")
    named = await authorized.get(f"/v2/functions/namespaces/{NAMESPACE}/triggers")
    assert named.status == 200
    other = await authorized.get("/v2/functions/namespaces/fn-other/triggers")
    assert other.status == 404
    # DigitalOcean's error shape, as its API answers for a namespace that is not the caller's.
    doc = await other.json()
    assert (doc["id"], doc["message"]) == ("not_found", "namespace not found")
    assert doc["request_id"] == other.headers["X-Request-ID"]


async def test_fire_answers_202_and_the_record_names_the_trigger_with_the_body_as_event(
    client: TestClient[Any, Any],
) -> None:
    # Disabled triggers can still be fired by hand.
    response = await client.post(f"{SCHEDULED_TRIGGERS}/paused/fire")
    assert response.status == 202
    activation_id = (await response.json())["activationId"]
    record = await wait_for_record(client, activation_id)
    assert record["name"] == "echo"
    assert record["response"]["result"] == {"event": {"source": "paused"}}
    annotations = {a["key"]: a["value"] for a in record["annotations"]}
    assert annotations["trigger"] == "paused"
    assert annotations["firing"] == "on demand"
    runs = (await triggers_by_name(client))["paused"]["scheduled_runs"]
    assert runs == {"last_run_at": "2026-03-01T12:00:30Z", "next_run_at": None}


async def test_firing_an_unknown_trigger_is_404(client: TestClient[Any, Any]) -> None:
    response = await client.post(f"{SCHEDULED_TRIGGERS}/nope/fire")
    assert response.status == 404
    body = await response.json()
    assert (body["id"], body["message"]) == (
        "not_found",
        "The resource you were accessing could not be found.",
    )


async def records(client: TestClient[Any, Any]) -> list[dict[str, Any]]:
    response = await client.get(ACTIVATIONS, params={"docs": "true"})
    assert response.status == 200
    found: list[dict[str, Any]] = await response.json()
    return found


async def wait_for_records(client: TestClient[Any, Any], count: int) -> list[dict[str, Any]]:
    for _ in range(600):
        found = await records(client)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} records after 30 s")


async def test_a_trigger_fires_when_its_minute_comes_on_the_injected_clock(
    client: TestClient[Any, Any], clock: ManualClock
) -> None:
    # 12:04:30: no trigger is due yet.
    clock.advance(240)
    await clock.settled()
    runs = (await triggers_by_name(client))["every-five-minutes"]["scheduled_runs"]
    assert runs["last_run_at"] is None
    assert await records(client) == []
    # 12:05:00: the five-minute trigger fires, and only it (the paused one never does).
    clock.advance(30)
    [summary] = await wait_for_records(client, 1)
    record = await wait_for_record(client, summary["activationId"])
    annotations = {a["key"]: a["value"] for a in record["annotations"]}
    assert annotations["trigger"] == "every-five-minutes"
    assert annotations["firing"] == "scheduled"
    assert record["response"]["result"] == {"event": {"source": "legacy"}}
    runs = (await triggers_by_name(client))["every-five-minutes"]["scheduled_runs"]
    assert runs == {"last_run_at": "2026-03-01T12:05:00Z", "next_run_at": "2026-03-01T12:10:00Z"}
    # Five minutes later, it fires again.
    clock.advance(300)
    assert len(await wait_for_records(client, 2)) == 2


async def test_no_triggers_stops_scheduled_firing_but_not_firing_on_demand(
    make_client: Any, clock: ManualClock
) -> None:
    client = await make_client(
        "triggers", app_options={"clock": clock, "sleep": clock.sleep}, no_triggers=True
    )
    triggers = await triggers_by_name(client)
    assert all(t["scheduled_runs"]["next_run_at"] is None for t in triggers.values())
    # Nothing is scheduled, so the scheduler waits on no time at all: moving the clock wakes
    # nothing, and no trigger has run.
    assert clock.sleeping == 0
    clock.advance(3600)
    after = await triggers_by_name(client)
    assert all(t["scheduled_runs"]["last_run_at"] is None for t in after.values())
    assert await records(client) == []
    response = await client.post(f"{SCHEDULED_TRIGGERS}/every-five-minutes/fire")
    assert response.status == 202
    await wait_for_record(client, (await response.json())["activationId"])


async def test_a_firing_that_cannot_invoke_is_logged_and_the_others_still_fire(
    client: TestClient[Any, Any], clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    # As a reload would: one trigger now names a function that is gone.
    scheduler = client.app[SERVICES].scheduler
    scheduler.replace(
        [
            ScheduledTrigger("orphan", "cron/gone", "* * * * *", {}),
            ScheduledTrigger("every-minute", "cron/echo", "* * * * *", {"source": "reloaded"}),
        ]
    )
    await asyncio.sleep(0.1)
    assert [t for t in await triggers_by_name(client)] == ["orphan", "every-minute"]
    clock.advance(30)
    [summary] = await wait_for_records(client, 1)
    record = await wait_for_record(client, summary["activationId"])
    assert record["response"]["result"] == {"event": {"source": "reloaded"}}
    assert "trigger orphan could not invoke cron/gone" in caplog.text
    # The scheduler lives on: the next minute fires again.
    clock.advance(60)
    assert len(await wait_for_records(client, 2)) == 2


async def test_banner_shows_each_trigger_with_its_next_run_in_utc(
    client: TestClient[Any, Any], make_client: Any, clock: ManualClock
) -> None:
    text = banner(client.app[SERVICES], dashboard_link(client.app))
    assert "every-five-minutes  cron/echo  '*/5 * * * *'  next run 2026-03-01T12:05:00Z" in text
    assert "paused              cron/echo  '* * * * *'  disabled" in text
    quiet = await make_client("triggers", app_options={"clock": clock}, no_triggers=True)
    quiet_banner = banner(quiet.app[SERVICES], dashboard_link(quiet.app))
    assert "'0 9 * * 1-5'  not firing (--no-triggers)" in quiet_banner
