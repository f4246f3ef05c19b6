"""DigitalOcean's own API, as doctl reaches it with `--api-url`: a Bearer access token, its error
shape, the namespaces, the scheduled triggers; access keys on /api/v1; the API under /doctl.co."""

from __future__ import annotations

import base64
from typing import Any

from aiohttp.test_utils import TestClient

from emulator.settings import DEFAULT_AUTH, DEFAULT_CREDENTIALS, Credentials
from tests.support.fixture_types import MakeClient
from tests.support.routes import NAMESPACE

TOKEN = DEFAULT_CREDENTIALS.access_token
BEARER = {"Authorization": f"Bearer {TOKEN}"}
NAMESPACES = "/v2/functions/namespaces"
TRIGGERS = f"{NAMESPACES}/{NAMESPACE}/triggers"
DO_401 = {"id": "Unauthorized", "message": "Unable to authenticate you"}


def basic(text: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(text.encode()).decode()}


def assign_api_host(host: str, namespace: str) -> str:
    """What doctl makes of a listed API host (do/serverless.go `assignAPIHost`)."""
    if not namespace.startswith("fn-"):
        return host
    return ".".join(host.split(".")[:-1]) + ".co"


async def test_the_namespace_is_listed_with_its_key_and_a_host_doctl_leaves_as_it_is(
    make_client: MakeClient,
) -> None:
    client = await make_client(authorized=False)
    response = await client.get(NAMESPACES, headers=BEARER)
    assert response.status == 200
    [listed] = (await response.json())["namespaces"]
    origin = str(client.make_url("/")).rstrip("/")
    assert listed["namespace"] == NAMESPACE
    assert (listed["uuid"] + ":" + listed["key"]) == DEFAULT_AUTH
    assert (listed["label"], listed["region"]) == ("functions-emulator", "local")
    assert listed["api_host"] == origin + "/doctl.co"
    # The plain host would be rewritten to nowhere; the listed one survives the rewrite.
    assert assign_api_host(origin, NAMESPACE).endswith("0.0.co")
    assert assign_api_host(listed["api_host"], NAMESPACE) == listed["api_host"]
    one = await client.get(f"{NAMESPACES}/{NAMESPACE}", headers=BEARER)
    assert (await one.json()) == {"namespace": listed}


async def test_a_namespace_without_fn_is_listed_with_the_plain_host(
    make_client: MakeClient,
) -> None:
    client = await make_client(authorized=False, namespace_name="dev")
    response = await client.get(NAMESPACES, headers=BEARER)
    [listed] = (await response.json())["namespaces"]
    assert listed["api_host"] == str(client.make_url("/")).rstrip("/")


async def test_another_namespace_is_not_found_in_digitaloceans_words(
    make_client: MakeClient,
) -> None:
    client = await make_client(authorized=False)
    response = await client.get(f"{NAMESPACES}/fn-someone-else", headers=BEARER)
    assert response.status == 404
    doc = await response.json()
    assert doc == {
        "id": "not_found",
        "message": "namespace not found",
        "request_id": response.headers["X-Request-ID"],
    }


async def test_only_the_emulators_token_opens_the_control_plane(make_client: MakeClient) -> None:
    client = await make_client(authorized=False)
    for headers in ({}, {"Authorization": "Bearer dop_v1_other"}, basic("someone:else")):
        response = await client.get(NAMESPACES, headers=headers)
        assert response.status == 401
        assert await response.json() == DO_401
    # The namespace key still works (the emulator's own `triggers` commands send it).
    assert (await client.get(TRIGGERS, headers=basic(DEFAULT_AUTH))).status == 200


async def test_a_configured_access_token_replaces_the_derived_one(make_client: MakeClient) -> None:
    client = await make_client(authorized=False, access_token="dop_v1_mine")
    assert (await client.get(NAMESPACES, headers=BEARER)).status == 401
    mine = await client.get(NAMESPACES, headers={"Authorization": "Bearer dop_v1_mine"})
    assert mine.status == 200


def test_the_derived_token_changes_with_the_key() -> None:
    other = Credentials.parse("another-uuid:another-key")
    assert TOKEN.startswith("dop_v1_")
    assert other.access_token != TOKEN


async def test_access_keys_are_basic_credentials_on_the_openwhisk_api(
    make_client: MakeClient,
) -> None:
    client = await make_client(authorized=False)
    key = DEFAULT_CREDENTIALS.access_key("d79e8aeb42e5476893c7d4c59a166264")
    response = await client.get("/api/v1/namespaces", headers=basic(key))
    assert (response.status, await response.json()) == (200, [NAMESPACE])
    forged = key.rpartition(":")[0] + ":" + "0" * 64
    other_namespace = Credentials.parse("another-uuid:another-key").access_key("d79e")
    for refused in (forged, other_namespace, "dof_v1_:secret"):
        response = await client.get("/api/v1/namespaces", headers=basic(refused))
        assert response.status == 401
        assert (await response.json())["error"] == "The supplied authentication is invalid"
    # An access key is no DigitalOcean token.
    assert (await client.get(NAMESPACES, headers=basic(key))).status == 401


async def test_the_api_is_served_under_doctl_co_with_the_same_checks(client: TestClient) -> None:
    aliased = await client.get("/doctl.co/api/v1/namespaces/_/actions/demo/hello")
    direct = await client.get("/api/v1/namespaces/_/actions/demo/hello")
    assert aliased.status == direct.status == 200
    assert (await aliased.json())["name"] == "hello"
    invoked = await client.post(
        "/doctl.co/api/v1/namespaces/_/actions/demo/hello?blocking=true&result=true", json={}
    )
    assert invoked.status == 200
    runtimes = await client.get("/doctl.co/api/v1")
    assert "runtimes" in await runtimes.json()
    anonymous = await client.get(
        "/doctl.co/api/v1/namespaces/_/actions", headers={"Authorization": ""}
    )
    assert anonymous.status == 401
    # Only the OpenWhisk API: not the dashboard, not the control plane, nothing else.
    for path in ("/doctl.co/dashboard/", "/doctl.co/v2/functions/namespaces", "/doctl.co"):
        response = await client.get(path, headers=BEARER)
        assert response.status == 404, path
    missing = await client.get("/doctl.co/api/v1/namespaces/_/nothing-here")
    assert missing.status == 404


async def trigger(client: TestClient[Any, Any], name: str) -> Any:
    response = await client.get(f"{TRIGGERS}/{name}", headers=BEARER)
    return response.status, await response.json()


async def test_a_trigger_is_got_disabled_enabled_and_deleted(make_client: MakeClient) -> None:
    client = await make_client("triggers", authorized=False)
    status, doc = await trigger(client, "weekday-mornings")
    assert status == 200
    assert doc["trigger"]["scheduled_details"] == {
        "cron": "0 9 * * 1-5",
        "body": {"source": "current"},
    }
    disabled = await client.put(
        f"{TRIGGERS}/weekday-mornings", json={"is_enabled": False}, headers=BEARER
    )
    assert disabled.status == 200
    shown = (await disabled.json())["trigger"]
    assert shown["is_enabled"] is False
    assert shown["scheduled_runs"]["next_run_at"] is None
    enabled = await client.put(
        f"{TRIGGERS}/weekday-mornings",
        json={"is_enabled": True, "scheduled_details": {"cron": "0 10 * * *", "body": {"a": 1}}},
        headers=BEARER,
    )
    shown = (await enabled.json())["trigger"]
    assert (shown["is_enabled"], shown["scheduled_details"]) == (
        True,
        {"cron": "0 10 * * *", "body": {"a": 1}},
    )
    assert shown["scheduled_runs"]["next_run_at"] is not None
    deleted = await client.delete(f"{TRIGGERS}/weekday-mornings", headers=BEARER)
    assert deleted.status == 204
    assert (await trigger(client, "weekday-mornings"))[0] == 404
    listed = await client.get(TRIGGERS, headers=BEARER)
    names = [t["name"] for t in (await listed.json())["triggers"]]
    assert names == ["every-five-minutes", "paused"]


async def test_a_bad_trigger_update_is_a_400_in_digitaloceans_shape(
    make_client: MakeClient,
) -> None:
    client = await make_client("triggers", authorized=False)
    for body in (
        {},
        {"is_enabled": "yes"},
        {"is_enabled": True, "scheduled_details": {"cron": "every minute"}},
    ):
        response = await client.put(f"{TRIGGERS}/paused", json=body, headers=BEARER)
        assert response.status == 400, body
        assert (await response.json())["id"] == "bad_request"
    unknown = await client.put(f"{TRIGGERS}/nope", json={"is_enabled": True}, headers=BEARER)
    assert unknown.status == 404
