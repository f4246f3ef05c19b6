"""The developer's own browser is the way in: a page it visits may not call the API, nor rebind
its own name to this machine; web functions stay as public as on the platform."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fixture_types import MakeClient
from tests.support.routes import ACTIONS, WEB
from tests.support.snippets import NODE_HELLO

ATTACKER = "https://attacker.example"
FRONT_END = "http://localhost:5173"
DEPLOY = {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}}


async def test_a_cross_origin_put_is_refused_and_deploys_nothing(make_client: MakeClient) -> None:
    client = await make_client("web")
    response = await client.put(f"{ACTIONS}/planted", json=DEPLOY, headers={"Origin": ATTACKER})
    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    error = (await response.json())["error"]
    assert error.startswith(f"Requests from the web page at '{ATTACKER}' are not allowed")
    assert f"--cors-origin {ATTACKER}" in error
    assert (await client.get(f"{ACTIONS}/planted")).status == 404


async def test_a_cross_origin_preflight_gets_no_grant(make_client: MakeClient) -> None:
    client = await make_client("web", authorized=False)
    response = await client.options(
        f"{ACTIONS}/planted",
        headers={"Origin": ATTACKER, "Access-Control-Request-Method": "PUT"},
    )
    assert response.status == 403
    assert not any(name.startswith("Access-Control-") for name in response.headers)


async def test_a_page_let_in_with_cors_origin_may_call_the_api_and_no_other(
    make_client: MakeClient,
) -> None:
    client = await make_client("web", cors_origins=(FRONT_END,))
    preflight = await client.options(
        f"{ACTIONS}/greet",
        headers={"Origin": FRONT_END, "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Vary"] == "Origin"
    put = await client.put(f"{ACTIONS}/greet", json=DEPLOY, headers={"Origin": FRONT_END})
    assert put.status == 200
    assert put.headers["Access-Control-Allow-Origin"] == FRONT_END
    # An error is readable by that page too.
    missing = await client.get(f"{ACTIONS}/nothing", headers={"Origin": FRONT_END})
    assert missing.status == 404
    assert missing.headers["Access-Control-Allow-Origin"] == FRONT_END
    other = await client.get(f"{ACTIONS}/greet", headers={"Origin": ATTACKER})
    assert other.status == 403


async def test_a_request_from_the_servers_own_origin_is_answered(make_client: MakeClient) -> None:
    client = await make_client("web")
    own = f"http://127.0.0.1:{client.server.port}"
    response = await client.get(ACTIONS, headers={"Origin": own})
    assert response.status == 200


@pytest.mark.parametrize("path", ["/api/v1", ACTIONS, "/dashboard/login", f"{WEB}/web/echo"])
async def test_a_rebound_host_name_is_refused_on_every_route(
    make_client: MakeClient, path: str
) -> None:
    client = await make_client("web")
    response = await client.get(path, headers={"Host": f"attacker.example:{client.server.port}"})
    assert response.status == 403
    error = (await response.json())["error"]
    assert error.startswith("The host 'attacker.example:")
    assert "--allowed-host" in error


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST.", "localhost:1"])
async def test_the_loopback_names_are_answered(make_client: MakeClient, host: str) -> None:
    client = await make_client("web")
    response = await client.get("/api/v1", headers={"Host": host})
    assert response.status == 200


async def test_an_allowed_host_is_answered_and_star_answers_any(make_client: MakeClient) -> None:
    named = await make_client("web", allowed_hosts=("dev.box",))
    assert (await named.get("/api/v1", headers={"Host": "dev.box:3233"})).status == 200
    assert (await named.get("/api/v1", headers={"Host": "other.box"})).status == 403
    await named.close()
    anything = await make_client("web", allowed_hosts=("*",))
    assert (await anything.get("/api/v1", headers={"Host": "other.box"})).status == 200


async def test_the_bind_address_is_an_allowed_host(make_client: MakeClient) -> None:
    client = await make_client("web", host="0.0.0.0")
    assert (await client.get("/api/v1", headers={"Host": "0.0.0.0:3233"})).status == 200


async def test_web_functions_answer_any_page_with_the_platforms_cors(
    make_client: MakeClient,
) -> None:
    client = await make_client("web", authorized=False)
    preflight = await client.options(
        f"{WEB}/web/echo", headers={"Origin": ATTACKER, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    call: Any = await client.post(f"{WEB}/web/echo.json", json={}, headers={"Origin": ATTACKER})
    assert call.status == 200
    assert call.headers["Access-Control-Allow-Origin"] == "*"
