"""What clients read first: `/`, `/api/v1`, the namespace list, and the common headers."""

import re

import aiohttp

from tests.support.routes import NAMESPACE


async def test_api_info_is_served_without_a_key_and_lists_the_runtimes(client):
    async with aiohttp.ClientSession() as anonymous:
        response = await anonymous.get(client.make_url("/api/v1"))
        doc = await response.json()
    assert response.status == 200
    assert doc["description"] == "OpenWhisk API"
    assert doc["api_version"] == "1.0.0"
    python = {k["kind"]: k for k in doc["runtimes"]["python"]}
    assert python["python:3.11"]["default"] is True
    assert set(python) == {"python:3.9", "python:3.11", "python:3.12", "python:3.13"}
    assert all(not k["default"] for name, k in python.items() if name != "python:3.11")


async def test_the_root_describes_the_controller_without_a_key(client):
    async with aiohttp.ClientSession() as anonymous:
        response = await anonymous.get(client.make_url("/"))
        doc = await response.json()
    assert response.status == 200
    assert doc["description"] == "OpenWhisk"
    assert doc["api_paths"] == ["/api/v1"]
    assert doc["limits"]["max_action_duration"] == 900000
    assert "nodejs" in doc["runtimes"]


async def test_the_namespace_list_has_exactly_the_callers_namespace(client):
    response = await client.get("/api/v1/namespaces")
    assert response.status == 200
    assert await response.json() == [NAMESPACE]


async def test_every_response_carries_a_request_id_and_no_cors_grant_by_default(client):
    response = await client.get("/api/v1/namespaces")
    assert re.fullmatch(r"[A-Za-z0-9]{32}", response.headers["X-Request-ID"])
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_with_any_origin_let_in_responses_carry_the_platforms_rest_cors_headers(make_client):
    client = await make_client(cors_origins=("*",))
    response = await client.get("/api/v1/namespaces", headers={"Origin": "https://app.example"})
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, DELETE, POST, PUT, HEAD"


async def test_the_callers_request_id_is_echoed_and_used_as_the_error_code(client):
    response = await client.get(
        "/api/v1/namespaces/_/actions/demo/nothing", headers={"X-Request-ID": "my-request-1"}
    )
    assert response.headers["X-Request-ID"] == "my-request-1"
    assert await response.json() == {
        "error": "The requested resource does not exist.",
        "code": "my-request-1",
    }


async def test_options_is_answered_without_a_key(client):
    async with aiohttp.ClientSession() as anonymous:
        response = await anonymous.options(client.make_url("/api/v1/namespaces/_/actions"))
    assert response.status == 200


async def test_an_unknown_route_gets_the_platforms_404(client):
    response = await client.get("/api/v1/nowhere")
    assert response.status == 404
    doc = await response.json()
    assert doc["error"] == "The requested resource could not be found."
    assert doc["code"] == response.headers["X-Request-ID"]


async def test_a_wrong_method_gets_405_with_the_supported_methods(client):
    response = await client.delete("/api/v1/namespaces/_/activations")
    assert response.status == 405
    assert (await response.json())["error"] == "HTTP method not allowed, supported methods: GET"


async def test_json_is_printed_compactly(client):
    response = await client.get("/api/v1/namespaces")
    assert await response.text() == f'["{NAMESPACE}"]'
