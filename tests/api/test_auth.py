"""The namespace key guards everything under /api/v1/namespaces."""

import base64

import aiohttp
import pytest

from emulator.settings import DEFAULT_AUTH
from tests.support.routes import NAMESPACE

TOKEN = base64.b64encode(DEFAULT_AUTH.encode()).decode()


async def anonymous_get(client, path, headers=None):
    async with aiohttp.ClientSession() as session:
        response = await session.get(client.make_url(path), headers=headers or {})
        return response, await response.json()


async def test_no_credentials_is_401_with_the_platforms_text_and_challenge(client):
    response, doc = await anonymous_get(client, "/api/v1/namespaces")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="OpenWhisk secure realm"'
    assert doc["error"] == (
        "The resource requires authentication, which was not supplied with the request"
    )
    assert doc["code"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "header",
    [
        "Basic " + base64.b64encode(b"23bc46b1-71f6-4ed5-8c54-816aa4f8c502:wrong").decode(),
        "Basic not-base64!",
        "Bearer " + TOKEN,
    ],
)
async def test_wrong_credentials_are_401_invalid(client, header):
    response, doc = await anonymous_get(client, "/api/v1/namespaces", {"Authorization": header})
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="OpenWhisk secure realm"'
    assert doc["error"] == "The supplied authentication is invalid"


async def test_the_bare_token_of_digitaloceans_docs_is_accepted(client):
    response, doc = await anonymous_get(client, "/api/v1/namespaces", {"Authorization": TOKEN})
    assert response.status == 200
    assert doc == [NAMESPACE]


async def test_the_namespace_may_be_named_or_underscore(client):
    for namespace in ("_", NAMESPACE):
        response = await client.get(f"/api/v1/namespaces/{namespace}/actions")
        assert response.status == 200


async def test_another_namespace_is_forbidden(client):
    response = await client.get("/api/v1/namespaces/someone-else/actions/demo/hello")
    assert response.status == 403
    assert (await response.json())["error"] == (
        "The supplied authentication is not authorized to access 'someone-else/demo/hello'."
    )


async def test_a_configured_key_and_namespace_replace_the_defaults(make_client):
    from emulator.settings import Credentials

    client = await make_client(
        credentials=Credentials.parse("a-uuid:a-secret"), namespace_name="my-ns"
    )
    own = "Basic " + base64.b64encode(b"a-uuid:a-secret").decode()
    response, doc = await anonymous_get(client, "/api/v1/namespaces", {"Authorization": own})
    assert (response.status, doc) == (200, ["my-ns"])
    response, _ = await anonymous_get(
        client, "/api/v1/namespaces", {"Authorization": "Basic " + TOKEN}
    )
    assert response.status == 401
