"""Bodies the platform refuses are refused with its status and message, and lose nothing:
the emulator answers the next call as if nothing happened."""

from __future__ import annotations

import io

import pytest
import pytest_asyncio

from emulator.api.bodies import SERVER_BODY_LIMIT
from tests.support.routes import ACTIONS, NAMESPACE

HELLO = f"{ACTIONS}/demo/hello?blocking=true&result=true"
LIMIT = 1_048_576
MALFORMED = "The request content was malformed:\n"
UNSUPPORTED = "The request's Content-Type is not supported. Expected:\napplication/json"


async def refusal(response, status: int) -> str:
    """The platform's error body: its message, with the transaction id as `code`."""
    assert response.status == status, await response.text()
    doc = await response.json()
    assert set(doc) == {"error", "code"}
    assert doc["code"] == response.headers["X-Request-ID"]
    return doc["error"]


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(open_client):
    async with open_client() as client:
        yield client


@pytest_asyncio.fixture(loop_scope="module")
async def still_serving(client):
    """After each test: the emulator still answers an ordinary call."""
    yield
    response = await client.post(HELLO, json={"name": "after"})
    assert (response.status, await response.json()) == (200, {"body": "Hello after!"})


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "body",
    [b"{", b"{'single': 'quotes'}", b'{"a": 1,}', b"nul", b'{"a": NaN-}', b"\xff\xfe{}"],
)
async def test_malformed_json_is_refused_with_the_parsers_detail(client, still_serving, body):
    message = await refusal(await client.post(HELLO, data=body, headers=JSON), 400)
    assert message.startswith(MALFORMED)
    assert len(message) > len(MALFORMED)


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42", b"null", b"true"])
async def test_json_that_is_not_an_object_is_refused(client, still_serving, body):
    message = await refusal(await client.post(HELLO, data=body, headers=JSON), 400)
    assert message.startswith(MALFORMED)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_a_body_of_another_content_type_is_refused_with_415(
    client, still_serving, content_type
):
    response = await client.post(HELLO, data=b"name=Ada", headers={"Content-Type": content_type})
    assert await refusal(response, 415) == UNSUPPORTED


async def test_a_body_over_1_mb_is_refused_with_413(client, still_serving):
    body = b'{"x": "' + b"a" * LIMIT + b'"}'
    response = await client.post(HELLO, data=io.BytesIO(body), headers=JSON)
    assert await refusal(response, 413) == (
        f"Request larger than allowed: {len(body)} > {LIMIT} bytes."
    )


async def test_a_chunked_body_over_1_mb_is_refused_too(client, still_serving):
    async def chunks():
        yield b'{"x": "'
        for _ in range(17):
            yield b"a" * 65_536
        yield b'"}'

    response = await client.post(HELLO, data=chunks(), headers=JSON)
    message = await refusal(response, 413)
    assert message.startswith("Request larger than allowed: ")
    assert message.endswith(f" > {LIMIT} bytes.")


async def test_a_body_over_the_servers_own_limit_gets_the_platforms_json_413(client, still_serving):
    body = b'{"exec": {"kind": "nodejs:18", "code": "' + b"a" * SERVER_BODY_LIMIT + b'"}}'
    response = await client.put(f"{ACTIONS}/huge", data=io.BytesIO(body), headers=JSON)
    assert await refusal(response, 413) == (
        f"Request larger than allowed: {len(body)} > {SERVER_BODY_LIMIT} bytes."
    )


async def test_a_body_of_exactly_1_mb_is_accepted(client):
    padding = LIMIT - len(b'{"padding": ""}')
    body = b'{"padding": "' + b"a" * padding + b'"}'
    assert len(body) == LIMIT
    response = await client.post(HELLO, data=io.BytesIO(body), headers=JSON)
    assert (response.status, await response.json()) == (200, {"body": "Hello stranger!"})


async def test_a_web_call_over_1_mb_is_refused_with_413(open_client):
    async with open_client("web", authorized=False) as client:
        await _web_call_over_1_mb(client)


async def _web_call_over_1_mb(client):
    body = io.BytesIO(b"a" * (LIMIT + 1))
    response = await client.post(f"/api/v1/web/{NAMESPACE}/web/echo.json", data=body)
    assert (
        await refusal(response, 413) == f"Request larger than allowed: {LIMIT + 1} > {LIMIT} bytes."
    )
    # Web errors are pretty-printed, as the platform prints them.
    assert "\n" in await response.text()


async def test_an_empty_body_is_an_empty_object_for_an_invoke(client):
    response = await client.post(HELLO, data=b"", headers=JSON)
    assert (response.status, await response.json()) == (200, {"body": "Hello stranger!"})


async def test_an_empty_body_where_an_entity_is_needed_says_what_is_missing(client, still_serving):
    response = await client.put(f"{ACTIONS}/made", data=b"", headers=JSON)
    assert await refusal(response, 400) == "exec undefined"
    # Nothing was created.
    assert (await client.get(f"{ACTIONS}/made")).status == 404


async def test_a_malformed_entity_is_refused_and_the_old_one_kept(client, still_serving):
    for body, headers in ((b'{"exec":', JSON), (b"exec=1", {"Content-Type": "text/plain"})):
        response = await client.put(
            f"{ACTIONS}/demo/hello?overwrite=true", data=body, headers=headers
        )
        assert response.status in (400, 415)
    assert (await client.get(f"{ACTIONS}/demo/hello")).status == 200


async def test_a_trigger_fire_with_a_malformed_body_is_refused(client, still_serving):
    trigger = "/api/v1/namespaces/_/triggers/ping"
    assert (await client.put(trigger, json={})).status == 200
    message = await refusal(await client.post(trigger, data=b"[", headers=JSON), 400)
    assert message.startswith(MALFORMED)


async def test_refusals_leave_no_activation_record(client):
    before = await (await client.get("/api/v1/namespaces/_/activations?count=true")).json()
    await client.post(HELLO, data=b"{", headers=JSON)
    await client.post(HELLO, data=b"x", headers={"Content-Type": "text/plain"})
    await client.post(HELLO, data=io.BytesIO(b"a" * (LIMIT + 1)), headers=JSON)
    count = await (await client.get("/api/v1/namespaces/_/activations?count=true")).json()
    assert count == before
