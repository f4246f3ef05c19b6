"""The dashboard over HTTP: its login, its JSON, its actions and its live events."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from emulator.dashboard import DASHBOARD
from emulator.dashboard.pages import STATIC_DIR
from emulator.dashboard.session import COOKIE
from emulator.settings import DEFAULT_AUTH, DEFAULT_CREDENTIALS
from tests.support.fixture_types import MakeClient
from tests.support.invoking import SteppedClock
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import AUTH_HEADER

API = "/dashboard/api"
SAME_ORIGIN = {"X-Dashboard-Request": "1"}


async def logged_in(make_client: MakeClient, project: str | Path = "api", **settings: Any):
    """A client without the API key, holding a dashboard session opened by the login form."""
    client = await make_client(project, authorized=False, **settings)
    response = await client.post("/dashboard/login", data={"key": DEFAULT_AUTH})
    assert response.status == 200  # followed to the functions page
    return client


async def invoke(client: TestClient[Any, Any], function: str, params: Any, **extra: Any):
    response = await client.post(
        f"{API}/invoke",
        json={"function": function, "params": params, **extra},
        headers=SAME_ORIGIN,
    )
    return response.status, await response.json()


async def test_a_browser_at_the_root_is_sent_to_the_dashboard_and_a_client_gets_the_api_document(
    make_client: MakeClient,
) -> None:
    client = await make_client(authorized=False)
    browser = await client.get(
        "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, allow_redirects=False
    )
    assert browser.status == 303
    assert browser.headers["Location"] == "/dashboard/"
    api_client = await client.get("/")
    assert api_client.status == 200
    assert (await api_client.json())["description"] == "OpenWhisk"


async def test_without_a_session_pages_ask_to_log_in_and_the_json_answers_401(
    make_client: MakeClient,
) -> None:
    # The API key is not a dashboard session.
    client = await make_client()
    page = await client.get("/dashboard/activations", allow_redirects=False)
    assert page.status == 303
    assert page.headers["Location"] == "/dashboard/login?next=/dashboard/activations"
    for path in ("/overview", "/activations", "/triggers", "/events", "/activations/x/raw"):
        response = await client.get(API + path)
        assert response.status == 401, path
        assert (await response.json())["error"] == "Log in to the dashboard first."


async def test_the_login_link_sets_a_strict_http_only_cookie_and_leaves_a_clean_address(
    make_client: MakeClient,
) -> None:
    client = await make_client(authorized=False)
    token = client.app[DASHBOARD].login_token
    assert DEFAULT_CREDENTIALS.key not in token
    response = await client.get(f"/dashboard/login?token={token}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/dashboard/"
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/dashboard"
    assert (await client.get(f"{API}/overview")).status == 200


async def test_a_wrong_login_token_or_key_opens_no_session(make_client: MakeClient) -> None:
    client = await make_client(authorized=False)
    link = await client.get("/dashboard/login?token=0123", allow_redirects=False)
    assert link.status == 401
    assert "That login link is not this emulator's." in await link.text()
    form = await client.post("/dashboard/login", data={"key": "someone:else"})
    assert form.status == 401
    assert "That is not this emulator's key." in await form.text()
    assert COOKIE not in form.cookies
    assert (await client.get(f"{API}/overview")).status == 401


async def test_the_login_form_takes_the_token_form_of_the_key_and_returns_to_the_page_asked_for(
    make_client: MakeClient,
) -> None:
    client = await make_client(authorized=False)
    response = await client.post(
        "/dashboard/login",
        data={"key": AUTH_HEADER.removeprefix("Basic "), "next": "/dashboard/triggers"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/dashboard/triggers"
    # Elsewhere is never a target.
    other = await client.post(
        "/dashboard/login",
        data={"key": DEFAULT_AUTH, "next": "https://example.com/"},
        allow_redirects=False,
    )
    assert other.headers["Location"] == "/dashboard/"


async def test_a_login_posted_from_another_site_is_refused(make_client: MakeClient) -> None:
    client = await make_client(authorized=False)
    response = await client.post(
        "/dashboard/login", data={"key": DEFAULT_AUTH}, headers={"Origin": "https://evil.example"}
    )
    assert response.status == 403
    assert COOKIE not in response.cookies


async def test_logging_out_ends_the_session(make_client: MakeClient) -> None:
    client = await logged_in(make_client)
    response = await client.post("/dashboard/logout", allow_redirects=False)
    assert response.status == 303
    assert (await client.get(f"{API}/overview")).status == 401


async def test_a_logout_posted_from_another_site_is_refused_and_the_session_stays(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    response = await client.post(
        "/dashboard/logout", headers={"Origin": "https://evil.example"}, allow_redirects=False
    )
    assert response.status == 403
    assert (await client.get(f"{API}/overview")).status == 200


async def test_the_login_link_is_new_at_each_start_and_not_derived_from_the_key(
    make_client: MakeClient,
) -> None:
    first = await make_client(authorized=False)
    second = await make_client(authorized=False)
    tokens = {first.app[DASHBOARD].login_token, second.app[DASHBOARD].login_token}
    assert len(tokens) == 2
    # One start's link opens no session on the other.
    token = first.app[DASHBOARD].login_token
    refused = await second.get(f"/dashboard/login?token={token}", allow_redirects=False)
    assert refused.status == 401


async def test_a_session_ends_after_two_hours_unused_and_twelve_hours_after_login(
    make_client: MakeClient,
) -> None:
    clock = SteppedClock()
    client = await logged_in(make_client, app_options={"clock": clock})
    for _ in range(6):  # used every hour and a half: it does not idle out
        clock.offset += 1.5 * 3600
        assert (await client.get(f"{API}/overview")).status == 200
    clock.offset += 3.1 * 3600  # past twelve hours since the login
    assert (await client.get(f"{API}/overview")).status == 401
    again = await logged_in(make_client, app_options={"clock": clock})
    clock.offset += 2 * 3600 + 1
    assert (await again.get(f"{API}/overview")).status == 401


async def test_the_functions_overview_lists_each_function_with_its_limits_and_recent_calls(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    status, _ = await invoke(client, "demo/hello", {"name": "Ada"})
    assert status == 200
    overview = await (await client.get(f"{API}/overview")).json()
    functions = {fn["path"]: fn for fn in overview["functions"]}
    assert set(functions) >= {"demo/hello", "demo/echo", "top"}
    hello = functions["demo/hello"]
    assert hello["kind"].startswith("python:")
    assert hello["limits"]["timeout"] == 3000
    assert hello["lastStatus"] == "success"
    assert hello["warm"] == 1
    assert [call["success"] for call in hello["durations"]] == [True]
    assert functions["demo/echo"]["lastStatus"] is None
    assert overview["reloadFailure"] is None


async def test_the_activation_page_shows_the_parameters_any_caller_passed(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    hello = "/api/v1/namespaces/_/actions/demo/hello?blocking=true"
    small = await client.post(hello, json={"name": "Ada"}, headers={"Authorization": AUTH_HEADER})
    large = await client.post(
        hello, json={"name": "x" * 70_000}, headers={"Authorization": AUTH_HEADER}
    )
    assert (small.status, large.status) == (200, 200)
    # Kept with the record in the store, whole up to 2 MB.
    for answer, parameters in ((small, {"name": "Ada"}), (large, {"name": "x" * 70_000})):
        activation_id = (await answer.json())["activationId"]
        detail = await (await client.get(f"{API}/activations/{activation_id}")).json()
        assert (detail["parametersKnown"], detail["parameters"]) == (True, parameters)


async def test_an_invoke_from_the_dashboard_is_recorded_like_an_api_invoke(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    status, answer = await invoke(client, "demo/hello", {"name": "Ada"})
    assert status == 200
    assert answer["record"]["response"]["result"] == {"body": "Hello Ada!"}
    detail = await (await client.get(f"{API}/activations/{answer['activationId']}")).json()
    assert detail["parametersKnown"] is True
    assert detail["parameters"] == {"name": "Ada"}
    assert detail["result"] == {"body": "Hello Ada!"}
    assert detail["cold"] is True
    stdout = [line for line in detail["logs"] if line["stream"] == "stdout"]
    assert [line["text"] for line in stdout] == ["greeted Ada"]
    raw = await client.get(f"{API}/activations/{answer['activationId']}/raw")
    api = await client.get(
        f"/api/v1/namespaces/_/activations/{answer['activationId']}",
        headers={"Authorization": AUTH_HEADER},
    )
    assert await raw.json() == await api.json()


async def test_a_non_blocking_invoke_answers_at_once_with_the_activation_id(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    status, answer = await invoke(client, "demo/nap", {"seconds": 0.5}, blocking=False)
    assert status == 202
    assert answer["record"] is None
    assert len(answer["activationId"]) == 32


async def test_invoking_needs_the_dashboards_own_header_and_a_json_object(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    forged = await client.post(f"{API}/invoke", json={"function": "demo/hello", "params": {}})
    assert forged.status == 403
    cross = await client.post(
        f"{API}/invoke",
        json={"function": "demo/hello"},
        headers={**SAME_ORIGIN, "Origin": "https://evil.example"},
    )
    assert cross.status == 403
    status, answer = await invoke(client, "demo/hello", [1, 2])
    assert status == 400
    assert answer["error"] == (
        "The request content was malformed:\nExpected a JSON object but got list."
    )
    status, answer = await invoke(client, "demo/missing", {})
    assert status == 404
    listed = await (await client.get(f"{API}/activations")).json()
    assert listed["rows"] == []


async def test_activations_are_listed_newest_first_filtered_and_paged(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    for name in ("one", "two", "three"):
        await invoke(client, "demo/hello", {"name": name})
    await invoke(client, "demo/fails", {})
    everything = await (await client.get(f"{API}/activations")).json()
    assert [row["function"] for row in everything["rows"]] == ["demo/fails"] + ["demo/hello"] * 3
    assert [row["cold"] for row in everything["rows"]] == [True, False, False, True]
    failed = await (await client.get(f"{API}/activations?status=application+error")).json()
    assert [row["function"] for row in failed["rows"]] == ["demo/fails"]
    hello = await (await client.get(f"{API}/activations?function=demo/hello&limit=2")).json()
    assert len(hello["rows"]) == 2 and hello["hasMore"] is True
    older = await (await client.get(f"{API}/activations?function=demo/hello&limit=2&page=2")).json()
    assert len(older["rows"]) == 1 and older["hasMore"] is False
    assert {r["activationId"] for r in hello["rows"]}.isdisjoint(
        r["activationId"] for r in older["rows"]
    )
    bad = await client.get(f"{API}/activations?status=green")
    assert bad.status == 400


async def test_the_event_stream_tells_of_each_activation_as_it_starts_and_ends(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    stream = await client.get(f"{API}/events")
    assert stream.headers["Content-Type"] == "text/event-stream"
    assert "Access-Control-Allow-Origin" not in stream.headers
    first = await _next_event(stream)
    assert first == ("reload", {"reloadFailure": None})
    _, answer = await invoke(client, "demo/hello", {"name": "Ada"})
    started = await _next_event(stream)
    finished = await _next_event(stream)
    stream.close()
    assert started == (
        "started",
        {"activationId": answer["activationId"], "function": "demo/hello"},
    )
    assert finished[0] == "activation"
    assert finished[1]["activationId"] == answer["activationId"]
    assert finished[1]["status"] == "success"


async def _next_event(stream: Any) -> tuple[str, Any]:
    name = data = None
    while data is None:
        line = (await asyncio.wait_for(stream.content.readline(), 10)).decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
    assert name is not None, "an event without its name"
    return name, data


async def test_a_trigger_is_listed_with_its_runs_and_fired_from_the_dashboard(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client, "triggers", no_triggers=True)
    listed = await (await client.get(f"{API}/triggers")).json()
    names = [t["name"] for t in listed["triggers"]]
    assert names == ["every-five-minutes", "weekday-mornings", "paused"]
    assert listed["triggers"][0]["lastRun"] is None
    assert listed["triggers"][0]["cron"] == "*/5 * * * *"
    refused = await client.post(f"{API}/triggers/paused/fire")
    assert refused.status == 403
    fired = await client.post(f"{API}/triggers/paused/fire", headers=SAME_ORIGIN)
    assert fired.status == 202
    activation_id = (await fired.json())["activationId"]
    after = await (await client.get(f"{API}/triggers")).json()
    assert after["triggers"][2]["lastRun"] is not None
    for _ in range(200):
        detail = await client.get(f"{API}/activations/{activation_id}")
        if detail.status == 200:
            break
        await asyncio.sleep(0.05)
    record = await detail.json()
    assert record["trigger"] == "paused"
    assert record["parameters"] == {"source": "paused"}
    unknown = await client.post(f"{API}/triggers/nope/fire", headers=SAME_ORIGIN)
    assert unknown.status == 404


async def test_pages_are_served_with_a_strict_content_policy_and_unknown_ones_are_not(
    make_client: MakeClient,
) -> None:
    client = await logged_in(make_client)
    for path in ("/dashboard/", "/dashboard/invoke", "/dashboard/activations/abc"):
        page = await client.get(path)
        assert page.status == 200, path
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'data-page="activation"' in await (await client.get("/dashboard/activations/a")).text()
    assert (await client.get("/dashboard/nothing")).status == 404
    script = await client.get("/dashboard/static/dashboard.js")
    assert script.status == 200
    # Nothing is loaded from elsewhere: the dashboard works offline.
    for name in ("shell.html", "login.html", "dashboard.js", "dashboard.css"):
        text = (STATIC_DIR / name).read_text()
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text


async def test_a_project_that_fails_to_reload_shows_its_error_until_it_is_fixed(
    make_client: MakeClient, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECTS / "triggers", project)
    client = await logged_in(make_client, project, no_triggers=True)
    good = (project / "project.yml").read_text()
    (project / "project.yml").write_text("packages: [")
    failure = await _reload_failure(client, lambda value: value is not None)
    assert "project.yml" in failure
    (project / "project.yml").write_text(good)
    assert await _reload_failure(client, lambda value: value is None) is None


async def _reload_failure(client: TestClient[Any, Any], until: Any) -> Any:
    for _ in range(150):
        value = (await (await client.get(f"{API}/status")).json())["reloadFailure"]
        if until(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("the reload state did not change")
