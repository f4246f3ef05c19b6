"""/api/v1/web/...: web functions answer browsers and webhooks as on the platform."""

from __future__ import annotations

import base64
import hmac
import io
import json

import pytest

from emulator.cli.banner import banner
from emulator.dashboard import dashboard_link
from emulator.services import SERVICES
from tests.support.records import wait_for_record
from tests.support.routes import ACTIVATIONS, AUTH_HEADER, NAMESPACE, WEB

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH",
    "Access-Control-Allow-Headers": (
        "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent"
    ),
}
NOT_ALLOWED = "Request defines parameters that are not allowed (e.g., reserved properties)."


@pytest.fixture
async def client(make_client):
    """A browser's view: no key is sent."""
    return await make_client("web", authorized=False)


async def with_key(client):
    """The same client, sending the key from now on: for the REST API."""
    client.session.headers["Authorization"] = AUTH_HEADER
    return client


async def event_of(response) -> dict:
    assert response.status == 200, await response.text()
    return await response.json()


async def error_of(response, status: int) -> str:
    """The error's message, after checking the platform's pretty-printed body."""
    assert response.status == status
    text = await response.text()
    doc = json.loads(text)
    assert list(doc) == ["error", "code"]
    assert doc["code"] == response.headers["X-Request-ID"]
    assert text == json.dumps(doc, indent=2)
    return doc["error"]


# --- URLs and methods ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_every_method_reaches_the_function(client, method):
    event = await event_of(await client.request(method, f"{WEB}/web/echo"))
    assert event["__ow_method"] == method.lower()
    assert event["http"]["method"] == method


async def test_head_answers_the_headers_without_the_body(client):
    response = await client.head(f"{WEB}/default/top")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert await response.read() == b""


async def test_a_function_outside_any_package_is_under_default(client):
    response = await client.get(f"{WEB}/default/top")
    assert await response.text() == "top"


async def test_the_path_after_the_function_is_ow_path(client):
    event = await event_of(await client.get(f"{WEB}/web/echo/a/b"))
    assert event["__ow_path"] == "/a/b"
    assert event["http"]["path"] == "/a/b"
    assert (await event_of(await client.get(f"{WEB}/web/echo")))["__ow_path"] == ""
    projected = await (await client.get(f"{WEB}/web/echo.json/x/y")).json()
    assert projected["body"]["__ow_path"] == "/x/y"


async def test_json_answers_the_whole_result(client):
    response = await client.get(f"{WEB}/web/echo.json?name=Ada")
    assert response.headers["Content-Type"] == "application/json"
    doc = await response.json()
    assert list(doc) == ["body"]
    assert doc["body"]["name"] == "Ada"


async def test_text_answers_the_body_as_text(client):
    response = await client.get(f"{WEB}/default/top.text")
    assert response.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert await response.text() == "top"
    missing = await client.post(f"{WEB}/web/respond.text", json={"reply": {"n": 1}})
    assert await error_of(missing, 404) == "Response does not include requested property."


async def test_html_and_svg_answer_their_property(client):
    reply = {"html": "<p>hi</p>", "svg": "<svg/>"}
    html = await client.post(f"{WEB}/web/respond.html", json={"reply": reply})
    assert html.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert await html.text() == "<p>hi</p>"
    svg = await client.post(f"{WEB}/web/respond.svg", json={"reply": reply})
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert await svg.text() == "<svg/>"
    bad = await client.post(f"{WEB}/web/respond.html", json={"reply": {"html": 1}})
    assert await error_of(bad, 400) == "Response is not valid 'text/html'."


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/web/fn-someone-else/web/echo",  # another namespace
        "/api/v1/web/_/web/echo",  # `_` does not stand for the namespace here
        f"{WEB}/web/nope",  # no such function
        f"{WEB}/nope/echo",  # no such package
        f"{WEB}/default/echo",  # not in the default package
        f"{WEB}/default/web",  # a package, not a function
        f"{WEB}/web/hidden",  # `web: false`
        f"{WEB}/web/echo.xml",  # an unknown extension stays part of the name
    ],
)
async def test_every_lookup_failure_is_the_same_404(client, path):
    response = await client.get(path)
    assert await error_of(response, 404) == "The requested resource does not exist."
    # Nothing tells these apart: not the body, not the headers.
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "x-openwhisk-activation-id" not in response.headers


@pytest.mark.parametrize("path", [f"{WEB}/web", WEB, "/api/v1/web", f"{WEB}/web/"])
async def test_a_path_without_package_and_function_says_what_it_needs(client, path):
    assert await error_of(await client.get(path), 404) == (
        "Incomplete web function path. The path must contain /$namespace/$package/$function, "
        "$package can be 'default'."
    )


async def test_web_urls_need_no_key_and_ignore_a_wrong_one(client):
    response = await client.get(f"{WEB}/web/echo", headers={"Authorization": "Basic bm9wZQ=="})
    event = await event_of(response)
    assert "__ow_user" not in event


async def test_the_namespaces_key_names_the_caller(client):
    event = await event_of(
        await client.get(f"{WEB}/web/echo", headers={"Authorization": AUTH_HEADER})
    )
    assert event["__ow_user"] == NAMESPACE


# --- request → event -----------------------------------------------------------------------


async def test_query_and_json_body_are_merged_body_first(client):
    response = await client.post(
        f"{WEB}/web/echo?name=Ada&q=1", json={"name": "Grace", "n": [1, 2]}
    )
    event = await event_of(response)
    assert (event["name"], event["q"], event["n"]) == ("Grace", "1", [1, 2])
    assert event["greeting"] == "Hello"  # the package's bound parameter
    assert "__ow_body" not in event


async def test_a_form_body_is_merged(client):
    event = await event_of(await client.post(f"{WEB}/web/echo", data={"name": "Ada", "age": "36"}))
    assert (event["name"], event["age"]) == ("Ada", "36")


async def test_a_text_body_arrives_as_ow_body(client):
    response = await client.post(
        f"{WEB}/web/echo", data="plain text", headers={"Content-Type": "text/plain"}
    )
    assert (await event_of(response))["__ow_body"] == "plain text"


async def test_a_binary_body_arrives_in_base64(client):
    response = await client.post(f"{WEB}/web/echo", data=PNG, headers={"Content-Type": "image/png"})
    assert base64.b64decode((await event_of(response))["__ow_body"]) == PNG


async def test_malformed_json_is_refused(client):
    response = await client.post(
        f"{WEB}/web/echo", data="{nope", headers={"Content-Type": "application/json"}
    )
    assert (await error_of(response, 400)).startswith("The request content was malformed:\n")


async def test_headers_arrive_lower_cased_with_the_platforms_own(client):
    response = await client.get(
        f"{WEB}/web/echo", headers={"X-Custom": "1", "X-Request-ID": "R" * 32}
    )
    event = await event_of(response)
    headers = event["__ow_headers"]
    assert headers["x-custom"] == "1"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-request-id"] == "R" * 32
    assert all(name == name.lower() for name in headers)
    assert event["http"]["headers"] == headers


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (f"{WEB}/web/echo?greeting=Hi", None),  # a bound parameter of a final function
        (f"{WEB}/web/echo", {"greeting": "Hi"}),
        (f"{WEB}/web/echo?__ow_method=get", None),  # a reserved field
        (f"{WEB}/web/echo", {"__ow_headers": {}}),
    ],
)
async def test_a_request_may_not_redefine_bound_or_reserved_parameters(client, url, body):
    response = await client.post(url, json=body)
    assert await error_of(response, 400) == NOT_ALLOWED
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_raw_functions_get_query_and_body_unparsed(client):
    response = await client.post(f"{WEB}/web/raw?greeting=Hi&a=1", json={"name": "Ada"})
    event = await event_of(response)
    assert event["__ow_query"] == "greeting=Hi&a=1"
    assert base64.b64decode(event["__ow_body"]) == b'{"name": "Ada"}'
    assert "name" not in event and "a" not in event
    assert event["greeting"] == "Hello"  # bound, and not overridden by the raw query
    assert event["http"]["queryString"] == "greeting=Hi&a=1"
    assert event["http"]["body"] == event["__ow_body"]
    assert event["http"]["isBase64Encoded"] is True


async def test_raw_functions_get_text_as_text_and_nothing_as_empty(client):
    text = await event_of(
        await client.post(f"{WEB}/web/raw", data="a=1", headers={"Content-Type": "text/plain"})
    )
    assert (text["__ow_body"], text["http"]["isBase64Encoded"]) == ("a=1", False)
    empty = await event_of(await client.get(f"{WEB}/web/raw"))
    assert (empty["__ow_body"], empty["__ow_query"]) == ("", "")


async def test_binary_bodies_travel_both_ways_unchanged(client):
    data = PNG + bytes(range(256))
    response = await client.post(
        f"{WEB}/web/mirror", data=data, headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert await response.read() == data


async def test_a_body_over_one_megabyte_is_refused(client):
    response = await client.post(f"{WEB}/web/echo", data=io.BytesIO(b"x" * (1024 * 1024 + 1)))
    assert await error_of(response, 413) == "Request larger than allowed: 1048577 > 1048576 bytes."


# --- result → response ---------------------------------------------------------------------


async def test_status_headers_and_repeated_headers_are_the_functions(client):
    response = await client.get(f"{WEB}/web/cookies")
    assert response.status == 201
    assert response.headers.getall("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert response.headers["X-Count"] == "2"
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert await response.text() == "<p>two cookies</p>"


async def test_a_binary_body_is_sent_decoded(client):
    response = await client.get(f"{WEB}/web/picture")
    assert response.headers["Content-Type"] == "image/png"
    assert await response.read() == PNG


async def test_an_object_body_is_sent_as_json(client):
    response = await client.post(f"{WEB}/web/respond", json={"reply": {"body": {"a": [1]}}})
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert await response.read() == b'{"a":[1]}'


async def test_a_result_without_body_is_204(client):
    response = await client.post(f"{WEB}/web/respond", json={"reply": {"msg": "hi"}})
    assert response.status == 204
    assert "Content-Type" not in response.headers
    assert await response.read() == b""
    redirect = await client.post(
        f"{WEB}/web/respond",
        json={"reply": {"statusCode": "302", "headers": {"Location": "/next"}}},
        allow_redirects=False,
    )
    assert (redirect.status, redirect.headers["Location"]) == (302, "/next")


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ({"headers": "x", "body": "x"}, "Response is not valid 'message/http'."),
        ({"statusCode": "abc"}, "Response is not valid 'message/http'."),
        (
            {"headers": {"Content-Type": "nonsense"}, "body": "x"},
            "Response did not specify a known content-type.",
        ),
        (
            {"headers": {"Content-Type": "image/png"}, "body": "not base64!"},
            "Response type in header did not match generated content type.",
        ),
    ],
)
async def test_an_invalid_result_is_the_platforms_400(client, reply, message):
    response = await client.post(f"{WEB}/web/respond", json={"reply": reply})
    assert await error_of(response, 400) == message
    assert len(response.headers["x-openwhisk-activation-id"]) == 32


async def test_an_application_error_is_projected_from_its_error(client):
    response = await client.get(f"{WEB}/web/fails")
    assert response.status == 418
    assert await response.text() == "I am a teapot"


async def test_a_developer_error_answers_only_that_there_was_one(client):
    response = await client.get(f"{WEB}/web/crashes")
    assert await error_of(response, 400) == "There was an error processing your request."
    record = await wait_for_record(
        await with_key(client), response.headers["x-openwhisk-activation-id"]
    )
    assert record["response"]["status"] == "action developer error"


# --- CORS and OPTIONS ----------------------------------------------------------------------


async def test_responses_carry_the_web_cors_headers(client):
    response = await client.get(f"{WEB}/default/top")
    for name, value in CORS.items():
        assert response.headers[name] == value
    asked = await client.get(
        f"{WEB}/default/top", headers={"Access-Control-Request-Headers": "X-A"}
    )
    assert asked.headers["Access-Control-Allow-Headers"] == "X-A"


async def test_a_preflight_is_answered_without_invoking_the_function(client):
    response = await client.options(
        f"{WEB}/web/secure",
        headers={"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "X-A"},
    )
    assert response.status == 200
    assert await response.read() == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Headers"] == "X-A"
    assert "x-openwhisk-activation-id" not in response.headers
    rest = await with_key(client)
    assert await (await rest.get(f"{ACTIVATIONS}?count=true")).json() == {"activations": 0}


async def test_custom_options_lets_the_function_answer_options_and_cors(client):
    response = await client.options(f"{WEB}/web/options")
    assert response.status == 200
    assert await response.text() == "answered options"
    assert response.headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert "Access-Control-Allow-Methods" not in response.headers
    assert "x-openwhisk-activation-id" in response.headers
    get = await client.get(f"{WEB}/web/options")
    assert get.headers.getall("Access-Control-Allow-Origin") == ["https://example.com"]


async def test_web_routes_get_no_rest_cors_headers(client):
    response = await client.get(f"{WEB}/web/options")
    assert "Access-Control-Allow-Methods" not in response.headers


# --- webSecure -----------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong", "s3cre", "S3CRET"])
async def test_a_secured_function_refuses_a_call_without_its_secret(client, secret):
    headers = {} if secret is None else {"X-Require-Whisk-Auth": secret}
    response = await client.get(f"{WEB}/web/secure", headers=headers)
    message = await error_of(response, 401)
    assert message == "Authentication is possible but has failed or not yet been provided."
    assert "WWW-Authenticate" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_a_secured_function_answers_with_its_secret(client):
    response = await client.get(f"{WEB}/web/secure", headers={"X-Require-Whisk-Auth": "s3cret"})
    assert await response.text() == "welcome"


async def test_the_secret_is_compared_in_constant_time(client, monkeypatch):

    compared = []

    def compare_digest(a, b):
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(hmac, "compare_digest", compare_digest)
    await client.get(f"{WEB}/web/secure", headers={"X-Require-Whisk-Auth": "guess"})
    assert compared == [(b"guess", b"s3cret")]


# --- blocking, records ---------------------------------------------------------------------


@pytest.mark.slow
async def test_a_call_past_the_blocking_wait_answers_202_and_runs_on(make_client):
    client = await make_client("web", blocking_wait=0.5)
    response = await client.get(f"{WEB}/web/slow?seconds=1.5")
    assert await error_of(response, 202) == "Response not yet ready."
    activation_id = response.headers["x-openwhisk-activation-id"]
    record = await wait_for_record(client, activation_id)
    assert record["response"]["result"] == {"body": "slept 1.5"}


async def test_each_call_is_recorded_and_listed_as_a_web_call(client):
    response = await client.get(f"{WEB}/default/top")
    activation_id = response.headers["x-openwhisk-activation-id"]
    rest = await with_key(client)
    record = await wait_for_record(rest, activation_id)
    annotations = {a["key"]: a["value"] for a in record["annotations"]}
    assert annotations["web"] is True
    assert annotations["path"] == f"{NAMESPACE}/top"
    listed = await (await rest.get(f"{ACTIVATIONS}?name=top")).json()
    assert [a["activationId"] for a in listed] == [activation_id]
    assert {"key": "web", "value": True} in listed[0]["annotations"]


async def test_rest_invokes_are_not_marked_as_web_calls(client):
    rest = await with_key(client)
    response = await rest.post("/api/v1/namespaces/_/actions/top?blocking=true", json={})
    record = await response.json()
    assert "web" not in {a["key"] for a in record["annotations"]}


# --- where the URL is shown -----------------------------------------------------------------


async def test_the_banner_shows_each_web_functions_url(client):
    text = banner(client.server.app[SERVICES], dashboard_link(client.server.app))
    host = client.server.app[SERVICES].settings.api_host
    assert f"WEB  {host}/api/v1/web/{NAMESPACE}/web/echo\n" in text
    assert f"WEB  {host}/api/v1/web/{NAMESPACE}/default/top\n" in text
    assert f"WEB  {host}/api/v1/web/{NAMESPACE}/web/raw  (raw)\n" in text
    assert f"/api/v1/web/{NAMESPACE}/web/secure  (needs X-Require-Whisk-Auth)\n" in text
    assert f"/api/v1/web/{NAMESPACE}/web/hidden" not in text


async def test_doctl_computes_the_served_url_from_get_action(client):
    """`doctl sls fn get --url` builds the URL from the entity's namespace (`ns/pkg`) and its
    `web-export` annotation; the URL it builds is the one served."""
    rest = await with_key(client)
    for name in ("web/echo", "top"):
        entity = await (await rest.get(f"/api/v1/namespaces/_/actions/{name}?code=false")).json()
        assert {"key": "web-export", "value": True} in entity["annotations"]
        namespace, _, package = entity["namespace"].partition("/")
        path = f"/api/v1/web/{namespace}/{package or 'default'}/{entity['name']}"
        assert (await client.get(path)).status == 200
