"""A web function cannot inject headers, split the response or send what HTTP cannot carry:
the platform's 400 for a result that is not a valid HTTP response, and the emulator serves on."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from tests.support.routes import WEB

pytestmark = pytest.mark.asyncio(loop_scope="module")

RESPOND = WEB + "/web/respond"
INVALID = "Response is not valid 'message/http'."


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(open_client):
    async with open_client("web", authorized=False) as client:
        yield client


async def reply(client, result):
    """What the web function answers when it returns `result`."""
    return await client.post(RESPOND, json={"reply": result})


async def refused_as_invalid(response) -> None:
    assert response.status == 400
    doc = await response.json()
    assert doc["error"] == INVALID
    assert doc["code"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Evil\r\nSet-Cookie": "owned=1"},
        {"X-Evil\n": "1"},
        {"X-A": "1\r\nSet-Cookie: owned=1"},
        {"X-A": "1\nSet-Cookie: owned=1"},
        {"X-A": "1\rX"},
        {"X-A": ["fine", "bad\r\nX-B: 2"]},
        {"Location": "/x\r\n\r\n<script>alert(1)</script>"},
        {"Bad Name": "1"},
        {"Bad:Name": "1"},
        {"": "1"},
        {"X-\u00e9": "1"},
        {"X-A": "nul\u0000byte"},
        {"X-A": {"nested": "object"}},
        {"X-A": None},
        ["X-A", "1"],
    ],
)
async def test_a_header_that_would_inject_or_cannot_be_sent_is_refused(client, headers):
    response = await reply(client, {"statusCode": 200, "headers": headers, "body": "hi"})
    await refused_as_invalid(response)
    assert "owned" not in response.headers.get("Set-Cookie", "")
    assert "X-B" not in response.headers


@pytest.mark.parametrize(
    "status", [99, 100, 199, 600, 1000, -200, "abc", "200 OK", "", True, 200.5, [200], {}, 1e30]
)
async def test_an_invalid_status_code_is_refused(client, status):
    await refused_as_invalid(await reply(client, {"statusCode": status, "body": "hi"}))


@pytest.mark.parametrize("status", [200, 201, 204, 301, 404, 418, 500, 503, 599, "302", 302.0])
async def test_a_valid_status_code_is_sent_as_it_is(client, status):
    response = await reply(client, {"statusCode": status})
    assert response.status == int(status)


async def test_a_huge_header_set_is_refused_rather_than_sent(client):
    many = {f"X-H{i}": "v" * 20 for i in range(5_000)}
    await refused_as_invalid(await reply(client, {"headers": many, "body": "hi"}))
    one_long = {"X-Long": "v" * 200_000}
    await refused_as_invalid(await reply(client, {"headers": one_long, "body": "hi"}))
    heavy = {f"X-H{i}": "v" * 1_000 for i in range(90)}
    await refused_as_invalid(await reply(client, {"headers": heavy, "body": "hi"}))
    # Just within every bound: sent.
    most = {f"X-H{i}": "v" * 600 for i in range(100)}
    assert (await reply(client, {"headers": most, "body": "hi"})).status == 200


async def test_a_reasonable_header_set_is_sent_in_full(client):
    headers: dict[str, str | list[str]] = {f"X-H{i}": f"value {i}" for i in range(50)}
    headers["Set-Cookie"] = ["a=1", "b=2"]
    response = await reply(client, {"headers": headers, "body": "hi"})
    assert response.status == 200
    assert response.headers["X-H49"] == "value 49"
    assert response.headers.getall("Set-Cookie") == ["a=1", "b=2"]


async def test_the_functions_framing_headers_cannot_split_the_response(client):
    result = {
        "headers": {"Content-Length": "1", "Transfer-Encoding": "chunked", "Connection": "close"},
        "body": "the whole body",
    }
    response = await reply(client, result)
    assert response.status == 200
    assert await response.text() == "the whole body"
    # The connection still carries the next request.
    again = await reply(client, {"body": "next"})
    assert await again.text() == "next"


async def test_a_raw_connection_sees_one_well_formed_response(client):
    """Read off the socket: no header line the function smuggled in, one status line."""
    host, port = client.server.host, client.server.port
    reader, writer = await asyncio.open_connection(host, port)
    body = b'{"reply": {"headers": {"X-A": "1\\r\\nX-Injected: yes"}, "body": "hi"}}'
    writer.write(
        b"POST "
        + RESPOND.encode()
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head = raw.partition(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"X-Injected" not in head
    assert raw.count(b"HTTP/1.1 ") == 1


async def test_the_server_serves_on_after_every_refusal(client):
    # A new connection, as a new caller would open.
    async with (
        ClientSession(str(client.make_url(""))) as session,
        session.post(RESPOND, json={"reply": {"body": "still here"}}) as response,
    ):
        assert (response.status, await response.text()) == (200, "still here")
