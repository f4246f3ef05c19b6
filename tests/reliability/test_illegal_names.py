"""Names outside the platform's pattern are refused with its 400 on every method, before
anything is looked up; web paths never say why a lookup failed; activation ids must be 32
hex characters."""

from __future__ import annotations

import pytest
import pytest_asyncio
from yarl import URL

from tests.support.routes import NAMESPACE, NS

pytestmark = pytest.mark.asyncio(loop_scope="module")

ILLEGAL = "The name of the entity contains illegal characters."
TOO_LONG = "Name segement longer than allowed: 257 > 256."
ACTION = {"exec": {"kind": "python:3.11", "code": "def main(args):\n    return args\n"}}
BAD_NAMES = [
    "bad$name",
    "semi;colon",
    "%2e%2e",  # `..`, encoded so that no client or server folds it away
    "%2e",
    "demo%2fhello",  # an encoded slash: one segment holding a `/`
    "demo%2F..%2F..%2Fetc",
    "%5c..%5cx",  # backslashes
    "%20leading-space",
    "trailing-space%20",
    "nul%00byte",
    "new%0aline",
    "%C3%A9t%C3%A9",  # not ASCII: the platform's \w is Java's
    "%ff%fe",  # not even UTF-8
    "-dash-first",
]


def url(path: str) -> URL:
    return URL(path, encoded=True)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(open_client):
    async with open_client() as client:
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def web(open_client):
    async with open_client("web", authorized=False) as web:
        yield web


async def answer(response) -> tuple[int, str]:
    doc = await response.json()
    assert doc["code"] == response.headers["X-Request-ID"]
    return response.status, doc["error"]


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_an_illegal_action_name_is_a_400_on_every_method(client, name):
    for method, path, body in (
        ("GET", f"{NS}/actions/{name}", None),
        ("PUT", f"{NS}/actions/{name}", ACTION),
        ("POST", f"{NS}/actions/{name}?blocking=true", {}),
        ("DELETE", f"{NS}/actions/{name}", None),
        ("GET", f"{NS}/actions/demo/{name}", None),
        ("POST", f"{NS}/actions/{name}/hello", {}),
    ):
        response = await client.request(method, url(path), json=body)
        assert await answer(response) == (400, ILLEGAL), (method, path)


@pytest.mark.parametrize("collection", ["packages", "triggers", "rules"])
@pytest.mark.parametrize("name", ["bad$name", "%2e%2e", "a%2fb", "%C3%A9"])
async def test_illegal_package_trigger_and_rule_names_are_refused(client, collection, name):
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, url(f"{NS}/{collection}/{name}"), json={})
        assert await answer(response) == (400, ILLEGAL), (method, collection)
    listing = await client.get(url(f"{NS}/actions/{name}/"))
    assert await answer(listing) == (400, ILLEGAL)


async def test_a_name_longer_than_256_is_refused_with_the_platforms_spelling(client):
    long = "a" * 257
    for method, path in (
        ("PUT", f"{NS}/actions/{long}"),
        ("GET", f"{NS}/actions/{long}"),
        ("POST", f"{NS}/actions/demo/{long}"),
        ("PUT", f"{NS}/packages/{long}"),
        ("PUT", f"{NS}/triggers/{long}"),
    ):
        response = await client.request(method, path, json=ACTION)
        assert await answer(response) == (400, TOO_LONG), (method, path)


async def test_a_name_of_256_and_every_allowed_character_is_a_name(client):
    longest = "a" * 256
    response = await client.put(f"{NS}/actions/{longest}", json=ACTION)
    assert response.status == 200
    odd = "A_1@b.c&d e-f"
    response = await client.put(url(f"{NS}/actions/{odd.replace(' ', '%20')}"), json=ACTION)
    assert response.status == 200
    assert (await response.json())["name"] == odd


async def test_nothing_is_created_by_a_refused_name(client):
    await client.put(url(f"{NS}/actions/demo%2fsneaky"), json=ACTION)
    await client.put(url(f"{NS}/packages/%2e%2e"), json={})
    names = {a["name"] for a in await (await client.get(f"{NS}/actions?limit=200")).json()}
    assert not any("sneaky" in name or ".." in name for name in names)
    packages = {p["name"] for p in await (await client.get(f"{NS}/packages")).json()}
    assert ".." not in packages


@pytest.mark.parametrize(
    ("activation_id", "message"),
    [
        ("abc", "Activation id length is 3 but must be 32."),
        ("a" * 33, "Activation id length is 33 but must be 32."),
        ("%2e%2e", "Activation id length is 2 but must be 32."),
        ("z" * 32, "The activation id is not valid."),
        ("0123456789ABCDEF0123456789abcdef", "The activation id is not valid."),
        ("0123456789abcdef0123456789abcde%2f", "The activation id is not valid."),
    ],
)
async def test_a_malformed_activation_id_is_refused(client, activation_id, message):
    for suffix in ("", "/logs", "/result"):
        response = await client.get(url(f"{NS}/activations/{activation_id}{suffix}"))
        assert await answer(response) == (400, message), suffix


@pytest.mark.parametrize(
    "path",
    [
        "demo/%2e%2e",
        "%2e%2e/hello",
        "demo/hello%2f..%2f..",
        "demo/bad$name",
        "demo/" + "a" * 300,
        "%2e%2e%2f%2e%2e/demo/hello",
        "default/%2e%2e%2fdemo%2fhello",
        "demo/%C3%A9t%C3%A9.json",
    ],
)
async def test_a_web_path_that_names_nothing_is_a_404_that_says_nothing(web, path):
    response = await web.get(url(f"/api/v1/web/{NAMESPACE}/{path}"))
    assert await answer(response) == (404, "The requested resource does not exist.")


async def test_a_web_path_with_another_namespace_says_nothing_either(web):
    for namespace in ("%2e%2e", "..%2f..%2fetc", "fn-other", "_"):
        response = await web.get(url(f"/api/v1/web/{namespace}/web/echo"))
        assert await answer(response) == (404, "The requested resource does not exist.")
