"""JSON nested a thousand levels deep is malformed wherever it comes in: a 400 on every route
that reads a body (the unauthenticated web route too), and a function that returns it made
the platform's developer error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from emulator.invoker.launchers.node import NodeLauncher
from emulator.namespace.nesting import MAX_DEPTH
from emulator.settings import DEFAULT_AUTH
from tests.support.ci import require
from tests.support.fixture_types import MakeClient
from tests.support.routes import ACTIONS, PACKAGES, RULES, TRIGGERS, WEB

JSON = {"Content-Type": "application/json"}
TOO_DEEP = "The request content was malformed:\nJSON nested deeper than 128 levels"


def nested(levels: int) -> bytes:
    """An object whose one field is `levels - 1` arrays deep: `levels` in all."""
    return b'{"a": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


DEEP = nested(1_000)
ROUTES = [
    ("POST", f"{ACTIONS}/demo/hello?blocking=true"),
    ("POST", f"{ACTIONS}/demo/hello"),
    ("PUT", f"{ACTIONS}/deep"),
    ("PUT", f"{ACTIONS}/demo/hello?overwrite=true"),
    ("PUT", f"{PACKAGES}/deep"),
    ("PUT", f"{TRIGGERS}/deep"),
    ("POST", f"{TRIGGERS}/ping"),
    ("PUT", f"{RULES}/deep"),
]


async def answer(response: Any) -> tuple[int, str]:
    return response.status, (await response.json())["error"]


@pytest.mark.parametrize("levels", [1_000, 100_000])
async def test_deep_json_is_400_on_every_route_that_reads_a_body(
    make_client: MakeClient, levels: int
) -> None:
    client = await make_client()
    assert (await client.put(f"{TRIGGERS}/ping", json={})).status == 200
    for method, path in ROUTES:
        response = await client.request(method, path, data=nested(levels), headers=JSON)
        assert await answer(response) == (400, TOO_DEEP), (method, path)
    # Nothing was made of them.
    for path in (f"{ACTIONS}/deep", f"{PACKAGES}/deep", f"{TRIGGERS}/deep", f"{RULES}/deep"):
        assert (await client.get(path)).status == 404, path


async def test_no_route_of_the_api_table_answers_deep_json_with_500(
    make_client: MakeClient,
) -> None:
    client = await make_client()
    checked = 0
    for route in client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter", "")
        if route.method not in ("POST", "PUT", "PATCH") or not path:
            continue
        filled = re.sub(r"\{[^}]+\}", "x", path.replace("{ns}", "_"))
        response = await client.request(route.method, filled, data=DEEP, headers=JSON)
        assert response.status < 500, (route.method, path, await response.text())
        checked += 1
    assert checked > 15


async def test_json_as_deep_as_the_limit_is_accepted(make_client: MakeClient) -> None:
    client = await make_client()
    response = await client.post(
        f"{ACTIONS}/demo/echo?blocking=true&result=true", data=nested(MAX_DEPTH), headers=JSON
    )
    assert response.status == 200
    assert "a" in await response.json()


async def test_deep_json_is_400_on_the_web_route_and_the_dashboard(
    make_client: MakeClient,
) -> None:
    client = await make_client("web", authorized=False)
    web = await client.post(f"{WEB}/web/echo.json", data=DEEP, headers=JSON)
    assert await answer(web) == (400, TOO_DEEP)
    await client.post("/dashboard/login", data={"key": DEFAULT_AUTH})
    dashboard = await client.post(
        "/dashboard/api/invoke", data=DEEP, headers={**JSON, "X-Dashboard-Request": "1"}
    )
    assert await answer(dashboard) == (400, TOO_DEEP)


async def test_a_function_that_returns_deep_json_is_a_developer_error(
    make_client: MakeClient, launchers: dict[str, Any]
) -> None:
    node = launchers["nodejs"]
    assert isinstance(node, NodeLauncher)
    problem = node.problem("nodejs:18")
    require(problem is None, str(problem))
    client = await make_client()
    code = "function main() { let v = []; for (let i = 0; i < 1000; i++) v = [v]; return {v} }"
    put = await client.put(f"{ACTIONS}/deep", json={"exec": {"kind": "nodejs:18", "code": code}})
    assert put.status == 200
    response = await client.post(f"{ACTIONS}/deep?blocking=true")
    assert response.status == 502
    record = await response.json()
    assert record["response"]["status"] == "action developer error"
    error = record["response"]["result"]["error"]
    assert error.startswith("The function did not produce a valid JSON response: ")
    # And the server goes on.
    ok = await client.post(f"{ACTIONS}/demo/hello?blocking=true&result=true", json={})
    assert ok.status == 200
