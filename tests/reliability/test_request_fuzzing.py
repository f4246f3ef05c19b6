"""Whatever a client sends, bodies of any bytes or JSON shape to paths of any characters, the
emulator answers with a client error or a success, never a 5xx of its own, and serves on."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yarl import URL

from tests.support.routes import AUTH_HEADER, NAMESPACE

pytestmark = pytest.mark.asyncio(loop_scope="module")

EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    # No example database in the work tree: every run draws afresh (and CI keeps nothing).
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
# Names of functions that answer quickly and never fail (`demo/hello` is left out: the last
# check calls it, and no random request may have deleted or replaced it).
NAMES = ("echo", "demo", "top", "default", "_", NAMESPACE, "x")
TRICKY = (
    "..",
    ".",
    "%2e%2e",
    "%2E%2e%2f",
    "%2f",
    "%5c",
    "%00",
    "%ff%fe",
    "%",
    "%zz",
    "a" * 300,
    "%C3%A9t%C3%A9",
    "%E2%80%AE",
    "~",
    "@",
    "&",
    ";",
    "a%20b",
)
PREFIXES = (
    "/api/v1/namespaces/_/actions/",
    "/api/v1/namespaces/_/actions/demo/",
    f"/api/v1/namespaces/{NAMESPACE}/packages/",
    "/api/v1/namespaces/_/triggers/",
    "/api/v1/namespaces/_/rules/",
    "/api/v1/namespaces/_/activations/",
    f"/api/v1/web/{NAMESPACE}/demo/",
    f"/api/v1/web/{NAMESPACE}/default/",
    "/api/v1/web/",
    f"/v2/functions/namespaces/{NAMESPACE}/triggers/",
    "/api/v1/",
    "/",
)
QUERY_KEYS = (
    "blocking", "result", "timeout", "limit", "skip", "count", "docs",
    "since", "upto", "name", "overwrite", "code", "force", "x",
)  # fmt: skip
CONTENT_TYPES = (
    None,
    "application/json",
    "application/json; charset=utf-8",
    "application/problem+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "multipart/form-data; boundary=zz",
    "image/png",
    "nonsense",
    "",
)

segments = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(TRICKY),
    st.text(min_size=1, max_size=40).map(lambda text: quote(text, safe="")),
    st.binary(min_size=1, max_size=20).map(lambda data: quote(data, safe="")),
)
paths = st.builds(
    lambda prefix, parts, tail: prefix + "/".join(parts) + tail,
    st.sampled_from(PREFIXES),
    st.lists(segments, min_size=0, max_size=4),
    st.sampled_from(("", "/", ".json", ".http", ".text", ".html", ".svg", "/extra")),
)
queries = st.dictionaries(
    st.sampled_from(QUERY_KEYS),
    st.one_of(
        st.sampled_from(("true", "false", "0", "-1", "500", "abc", "", "1e3", "%00")),
        st.text(max_size=20),
    ),
    max_size=4,
).map(lambda query: "&".join(f"{k}={quote(v, safe='%')}" for k, v in query.items()))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=15), children, max_size=5)
    ),
    max_leaves=20,
)
bodies = st.one_of(
    st.binary(max_size=2_000),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.text(max_size=15), json_values, max_size=6).map(
        lambda value: json.dumps(value).encode()
    ),
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from(CONTENT_TYPES),
        "Authorization": st.sampled_from(
            (AUTH_HEADER, "Basic !!", "Basic", "Bearer x", "Basic " + "A" * 500)
        ),
        "X-Require-Whisk-Auth": st.text(
            st.characters(min_codepoint=32, max_codepoint=126), max_size=20
        ),
        "Access-Control-Request-Headers": st.sampled_from(("X-A", "a,b", "")),
        "X-Request-ID": st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40),
    },
).map(lambda chosen: {k: v for k, v in chosen.items() if v is not None})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(open_client):
    async with open_client(authorized=False) as client:
        yield client


async def still_serves(client) -> None:
    response = await client.post(
        "/api/v1/namespaces/_/actions/demo/hello?blocking=true&result=true",
        json={"name": "Ada"},
        headers={"Authorization": AUTH_HEADER},
    )
    assert (response.status, await response.json()) == (200, {"body": "Hello Ada!"})


@EXAMPLES
@given(method=st.sampled_from(METHODS), path=paths, query=queries, header_set=headers)
async def test_no_path_gets_a_server_error(client, method, path, query, header_set):
    header_set.setdefault("Authorization", AUTH_HEADER)
    target = URL(f"{path}?{query}" if query else path, encoded=True)
    response = await client.request(method, target, headers=header_set)
    await response.read()
    assert response.status < 500, (method, str(target), response.status, await response.text())


@EXAMPLES
@given(
    method=st.sampled_from(("POST", "PUT", "PATCH")),
    path=st.sampled_from(
        (
            "/api/v1/namespaces/_/actions/demo/echo?blocking=true",
            "/api/v1/namespaces/_/actions/top",
            "/api/v1/namespaces/_/actions/fuzzed",
            "/api/v1/namespaces/_/packages/fuzzed",
            "/api/v1/namespaces/_/triggers/fuzzed",
            "/api/v1/namespaces/_/rules/fuzzed",
            f"/api/v1/web/{NAMESPACE}/default/top",
            f"/api/v1/web/{NAMESPACE}/default/top.json",
            "/api/v1/namespaces/_/activations",
        )
    ),
    body=bodies,
    header_set=headers,
)
async def test_no_body_gets_a_server_error(client, method, path, body, header_set):
    header_set.setdefault("Authorization", AUTH_HEADER)
    response = await client.request(method, path, data=body, headers=header_set)
    text = await response.text(errors="replace")
    assert response.status < 500, (method, path, body[:200], response.status, text)
    if response.status >= 400 and method != "HEAD":
        # Every refusal is the platform's error document.
        assert set(json.loads(text)) == {"error", "code"}


async def test_after_all_of_it_the_emulator_still_serves(client):
    await still_serves(client)
