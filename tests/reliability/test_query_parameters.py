"""Query parameters the platform refuses: its 400 and its wording, on every listing."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests.support.routes import NS

pytestmark = pytest.mark.asyncio(loop_scope="module")

COLLECTIONS = ["actions", "packages", "triggers", "rules", "activations"]
# (query, parameter, what the platform says after its wrapper; {} is the collection)
LISTING_MISTAKES = [
    ("limit=abc", "limit", "The value 'abc' is not an integer for {}."),
    ("limit=1.5", "limit", "The value '1.5' is not an integer for {}."),
    ("limit=500", "limit", "The value '500' is not in the range of 0 to 200 for {}."),
    ("limit=201", "limit", "The value '201' is not in the range of 0 to 200 for {}."),
    ("limit=-1", "limit", "The value '-1' is not in the range of 0 to 200 for {}."),
    ("skip=-1", "skip", "The value '-1' is not greater than or equal to 0 for {}."),
    ("skip=x", "skip", "The value 'x' is not an integer for {}."),
    ("count=maybe", "count", "'maybe' is not a valid Boolean value"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(open_client):
    async with open_client() as client:
        yield client


async def refused(client, path: str, method: str = "GET") -> str:
    response = await client.request(method, path)
    assert response.status == 400, (path, await response.text())
    doc = await response.json()
    assert doc["code"] == response.headers["X-Request-ID"]
    return doc["error"]


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize(("query", "name", "detail"), LISTING_MISTAKES)
async def test_a_bad_listing_parameter_is_refused_with_the_platforms_words(
    client, collection, query, name, detail
):
    message = await refused(client, f"{NS}/{collection}?{query}")
    assert message == f"The query parameter '{name}' was malformed:\n{detail.format(collection)}"


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_the_edges_of_the_range_are_accepted(client, collection):
    for query in ("limit=0", "limit=200", "skip=0", "skip=100000", "count=true", "limit="):
        response = await client.get(f"{NS}/{collection}?{query}")
        assert response.status == 200, (collection, query)


@pytest.mark.parametrize("name", ["since", "upto"])
@pytest.mark.parametrize("value", ["x", "1.5", "yesterday", "1e3"])
async def test_a_time_that_is_not_a_number_is_refused(client, name, value):
    message = await refused(client, f"{NS}/activations?{name}={value}")
    assert message == (
        f"The query parameter '{name}' was malformed:\n"
        f"Parameter is not a valid value for epoch seconds: {value}"
    )


async def test_docs_is_not_permitted_with_count(client):
    message = await refused(client, f"{NS}/activations?docs=true&count=true")
    assert message == "The parameter 'docs' is not permitted with 'count'."
    # Either alone is fine.
    assert (await client.get(f"{NS}/activations?docs=true")).status == 200
    assert (await client.get(f"{NS}/activations?count=true&docs=false")).status == 200


@pytest.mark.parametrize("value", ["a/b/c", "bad$name", "%2e%2e", "/leading", "%C3%A9t%C3%A9"])
async def test_an_activation_name_filter_must_be_a_name(client, value):
    message = await refused(client, f"{NS}/activations?name={value}")
    assert message.startswith(
        "The query parameter 'name' was malformed:\n"
        "Parameter may be a 'simple' name or 'package-name/simple' name: "
    )


@pytest.mark.parametrize("value", ["abc", "0", "-5", "30001", "1e3"])
async def test_a_blocking_wait_outside_the_platforms_range_is_refused(client, value):
    message = await refused(
        client, f"{NS}/actions/demo/hello?blocking=true&timeout={value}", method="POST"
    )
    assert message == (
        "The query parameter 'timeout' was malformed:\n"
        "Timeout must be number of milliseconds up to 30000."
    )


@pytest.mark.parametrize("name", ["blocking", "result"])
async def test_a_bad_boolean_on_an_invoke_is_refused_and_nothing_runs(client, name):
    before = await (await client.get(f"{NS}/activations?count=true")).json()
    message = await refused(client, f"{NS}/actions/demo/hello?{name}=perhaps", method="POST")
    assert message == (
        f"The query parameter '{name}' was malformed:\n'perhaps' is not a valid Boolean value"
    )
    assert await (await client.get(f"{NS}/activations?count=true")).json() == before


async def test_repeated_and_unknown_parameters_are_harmless(client):
    response = await client.get(f"{NS}/actions?limit=1&limit=2&whatever=%ff&=&&")
    assert response.status == 200
    response = await client.post(f"{NS}/actions/demo/hello?blocking=true&result=true&x=%00")
    assert (response.status, await response.json()) == (200, {"body": "Hello stranger!"})
