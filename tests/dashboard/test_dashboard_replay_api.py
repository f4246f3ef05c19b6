"""The activation page's JSON: the request read from the store (a web call's HTTP request, a
cut one marked), Run again, and the activation as a test file."""

from __future__ import annotations

from emulator.namespace.entities import ActivationResponse, PendingActivation, StatusCode
from emulator.namespace.recordings import MAX_RECORDED_BYTES, RecordedRequest
from emulator.services import SERVICES
from emulator.settings import DEFAULT_AUTH
from tests.support.fixture_types import MakeClient
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, AUTH_HEADER, WEB

API = "/dashboard/api"
SAME_ORIGIN = {"X-Dashboard-Request": "1"}
PROJECT = FIXTURE_PROJECTS / "replay"


async def _logged_in(make_client: MakeClient):
    client = await make_client(PROJECT, authorized=False)
    assert (await client.post("/dashboard/login", data={"key": DEFAULT_AUTH})).status == 200
    return client


async def test_a_web_activation_s_page_shows_its_http_request(make_client: MakeClient):
    client = await _logged_in(make_client)
    answer = await client.post(f"{WEB}/calc/echo/a?name=Ada", data=b"hi", headers={"X-Client": "t"})
    activation_id = answer.headers["x-openwhisk-activation-id"]

    detail = await (await client.get(f"{API}/activations/{activation_id}")).json()

    assert detail["parametersKnown"] is True and detail["parameters"] is None
    assert detail["web"]["method"] == "POST"
    assert detail["web"]["url"] == "calc/echo/a?name=Ada"
    assert ["X-Client", "t"] in detail["web"]["headers"]
    assert detail["web"]["body"] == "hi"


async def test_a_request_past_the_bound_is_shown_cut(make_client: MakeClient):
    # No route takes a request that large (the platform's limit is 1 MB a body): the record is
    # written as the store would keep one, for the page and Run again to show what they do.
    client = await _logged_in(make_client)
    services = client.app[SERVICES]
    activation_id = "c" * 32
    pending = PendingActivation(
        activation_id, services.registry.namespace, "add", "calc", "0.0.1", "s" * 40, 1_000
    )
    record = pending.finished(1_001, ActivationResponse(StatusCode.SUCCESS, {"sum": 1}))
    big = RecordedRequest(params={"a": 1, "blob": "x" * MAX_RECORDED_BYTES})
    await services.store.finish(record, marked=False, request=big)

    detail = await (await client.get(f"{API}/activations/{activation_id}")).json()
    rerun = await client.post(f"{API}/activations/{activation_id}/replay", headers=SAME_ORIGIN)

    assert detail["parametersCut"]["size"] > MAX_RECORDED_BYTES
    assert detail["parametersCut"]["prefix"].startswith('{"params":{"a":1,"blob":"xxx')
    assert rerun.status == 409
    assert "cannot be replayed" in (await rerun.json())["error"]


async def test_run_again_needs_the_dashboard_s_own_page(make_client: MakeClient):
    client = await _logged_in(make_client)
    answer = await client.post(
        f"{ACTIONS}/calc/add?blocking=true", json={"a": 3}, headers={"Authorization": AUTH_HEADER}
    )
    activation_id = (await answer.json())["activationId"]

    refused = await client.post(f"{API}/activations/{activation_id}/replay")
    again = await client.post(f"{API}/activations/{activation_id}/replay", headers=SAME_ORIGIN)

    assert refused.status == 403
    body = await again.json()
    assert again.status == 200 and body["activationId"] != activation_id
    assert body["record"]["response"]["result"] == {"sum": 3, "unit": "cm"}


async def test_the_activation_downloads_as_a_test_file(make_client: MakeClient):
    client = await _logged_in(make_client)
    answer = await client.post(
        f"{ACTIONS}/calc/add?blocking=true",
        json={"a": 3, "password": "hunter2"},
        headers={"Authorization": AUTH_HEADER},
    )
    activation_id = (await answer.json())["activationId"]

    download = await client.get(f"{API}/activations/{activation_id}/test")

    assert download.headers["Content-Disposition"] == 'attachment; filename="test_add.py"'
    source = await download.text()
    assert "hunter2" not in source
    assert 'functions_emulator.invoke("calc/add", PARAMS)' in source
