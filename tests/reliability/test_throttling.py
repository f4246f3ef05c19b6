"""The platform's throttles per namespace: calls per calendar minute and activations in
flight, answered with its 429s; configurable, and on by default at DigitalOcean's figures."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from emulator.namespace.clock import SystemClock
from emulator.namespace.errors import TooManyConcurrentRequests, TooManyRequests
from emulator.namespace.throttling import Throttle
from emulator.settings import Settings
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, ACTIVATIONS, AUTH_HEADER, NAMESPACE

# 30 s into a calendar minute (of 2025): half of it is left.
HALF_PAST = 29_000_000 * 60_000 + 30_000


@dataclass(frozen=True)
class Started:
    done: asyncio.Task[None]


class WallClock(SystemClock):
    """The system clock with a wall time a test sets; durations stay real."""

    def __init__(self, now_ms: int) -> None:
        self.ms = now_ms

    def now_ms(self) -> int:
        return self.ms

    def now_ns(self) -> int:
        return self.ms * 1_000_000


def test_the_defaults_are_digitaloceans_figures():
    settings = Settings(project_file=FIXTURE_PROJECTS / "api" / "project.yml")
    assert (settings.invocations_per_minute, settings.concurrent_invocations) == (600, 120)


def test_the_minute_is_a_calendar_minute_and_refused_calls_count_in_it():
    clock = WallClock(HALF_PAST)
    throttle = Throttle(per_minute=2, concurrent=None, clock=clock)
    throttle.fire("ns")
    throttle.fire("ns")
    for count in (3, 4):
        with pytest.raises(TooManyRequests) as refused:
            throttle.fire("ns")
        assert refused.value.message == (
            f"Too many requests in the last minute (count: {count}, allowed: 2)."
        )
    # Another namespace has its own count; the next minute starts afresh, 30 s later.
    throttle.fire("other")
    clock.ms += 29_999
    with pytest.raises(TooManyRequests):
        throttle.fire("ns")
    clock.ms += 1
    throttle.fire("ns")
    throttle.fire("ns")


async def test_an_activation_is_in_flight_until_its_record_is_written():
    throttle = Throttle(per_minute=None, concurrent=1, clock=SystemClock())
    release = asyncio.Event()

    async def start():
        async def run():
            await release.wait()

        return Started(asyncio.create_task(run()))

    first = await throttle.invocation("ns", start)
    assert throttle.in_flight("ns") == 1
    with pytest.raises(TooManyConcurrentRequests) as refused:
        await throttle.invocation("ns", start)
    assert refused.value.message == (
        "Too many concurrent requests in flight (count: 1, allowed: 1)."
    )
    release.set()
    await first.done
    await asyncio.sleep(0)
    assert throttle.in_flight("ns") == 0
    await (await throttle.invocation("ns", start)).done


async def test_a_call_that_fails_to_start_leaves_nothing_in_flight():
    throttle = Throttle(per_minute=None, concurrent=1, clock=SystemClock())

    async def missing():
        raise LookupError("no such function")

    with pytest.raises(LookupError):
        await throttle.invocation("ns", missing)
    assert throttle.in_flight("ns") == 0


async def test_rest_invokes_past_the_minutes_limit_get_the_platforms_429(make_client):
    client = await make_client(
        invocations_per_minute=2, app_options={"clock": WallClock(HALF_PAST)}
    )
    for _ in range(2):
        response = await client.post(f"{ACTIONS}/demo/hello?blocking=true")
        assert response.status == 200
    refused = await client.post(f"{ACTIONS}/demo/hello?blocking=true")
    assert refused.status == 429
    doc = await refused.json()
    assert doc == {
        "error": "Too many requests in the last minute (count: 3, allowed: 2).",
        "code": refused.headers["X-Request-ID"],
    }
    # Nothing ran for the refused call: two records only.
    listing = await (await client.get(f"{ACTIVATIONS}?count=true")).json()
    assert listing == {"activations": 2}


async def test_a_namespace_with_too_many_running_is_refused_until_one_ends(make_client):
    client = await make_client(concurrent_invocations=1)
    running = await client.post(f"{ACTIONS}/demo/nap", json={"seconds": 1})
    assert running.status == 202
    refused = await client.post(f"{ACTIONS}/demo/hello?blocking=true")
    assert refused.status == 429
    assert (await refused.json())["error"] == (
        "Too many concurrent requests in flight (count: 1, allowed: 1)."
    )
    activation_id = (await running.json())["activationId"]
    for _ in range(200):
        if (await client.get(f"{ACTIVATIONS}/{activation_id}")).status == 200:
            break
        await asyncio.sleep(0.05)
    accepted = await client.post(f"{ACTIONS}/demo/hello?blocking=true")
    assert accepted.status == 200


async def test_web_calls_count_against_the_owners_namespace(make_client):
    client = await make_client(
        "web",
        authorized=False,
        invocations_per_minute=1,
        app_options={"clock": WallClock(HALF_PAST)},
    )
    url = f"/api/v1/web/{NAMESPACE}/web/echo.json"
    assert (await client.get(url)).status == 200
    refused = await client.get(url)
    assert refused.status == 429
    assert (await refused.json())["error"] == (
        "Too many requests in the last minute (count: 2, allowed: 1)."
    )
    # REST invokes of the same namespace share the count.
    rest = await client.post(
        f"{ACTIONS}/web/echo?blocking=true", headers={"Authorization": AUTH_HEADER}
    )
    assert rest.status == 429


async def test_trigger_fires_have_their_own_count_per_minute(make_client):
    client = await make_client(
        invocations_per_minute=1, app_options={"clock": WallClock(HALF_PAST)}
    )
    trigger = "/api/v1/namespaces/_/triggers/ping"
    assert (await client.put(trigger, json={})).status == 200
    assert (await client.post(trigger, json={})).status == 204
    refused = await client.post(trigger, json={})
    assert refused.status == 429
    assert (await refused.json())["error"] == (
        "Too many requests in the last minute (count: 2, allowed: 1)."
    )
    assert (await client.post(f"{ACTIONS}/demo/hello?blocking=true")).status == 200


async def test_turned_off_throttles_refuse_nothing():
    throttle = Throttle(per_minute=None, concurrent=None, clock=WallClock(HALF_PAST))
    never_ending = asyncio.Event()

    async def wait_for_ever() -> None:
        await never_ending.wait()

    async def start():
        return Started(asyncio.create_task(wait_for_ever()))

    running = [await throttle.invocation("ns", start) for _ in range(1000)]
    for _ in range(1000):
        throttle.fire("ns")
    assert throttle.in_flight("ns") == 1000
    never_ending.set()
    await asyncio.gather(*(invocation.done for invocation in running))


async def test_limits_name_the_throttles_in_force(make_client):
    client = await make_client(invocations_per_minute=30, concurrent_invocations=None)
    limits = await (await client.get(f"/api/v1/namespaces/{NAMESPACE}/limits")).json()
    assert limits["invocationsPerMinute"] == 30
    assert limits["firesPerMinute"] == 30
    assert "concurrentInvocations" not in limits
    info = await (await client.get("/")).json()
    assert info["limits"]["actions_per_minute"] == 30
    assert "concurrent_actions" not in info["limits"]


def test_the_command_line_sets_the_throttles_and_0_turns_one_off(serve, tmp_path):
    server = serve(
        FIXTURE_PROJECTS / "api",
        "--invocations-per-minute",
        "0",
        "--concurrent-invocations",
        "7",
        "--no-reload",
    )
    status, limits = server.request("GET", f"/api/v1/namespaces/{NAMESPACE}/limits")
    assert status == 200
    assert limits["concurrentInvocations"] == 7
    assert "invocationsPerMinute" not in limits
    server.stop()
