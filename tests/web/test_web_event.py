"""A web request becomes the function's event as the platform builds it."""

from __future__ import annotations

import base64
import json

import pytest

from emulator.namespace.errors import ForbiddenParameters, MalformedContent
from emulator.web_functions.event import WebRequest, header_map, platform_headers, web_event


def request(
    method: str = "GET",
    *,
    query: str = "",
    body: bytes = b"",
    content_type: str | None = None,
    path: str = "",
    user: str | None = None,
) -> WebRequest:
    headers = [("Accept", "*/*")]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    return WebRequest(method, tuple(headers), path, query, body, user)


def test_every_event_has_the_method_headers_and_path():
    event = web_event(request("POST", path="/a/b"), raw=False)
    assert event["__ow_method"] == "post"
    assert event["__ow_headers"] == {"accept": "*/*"}
    assert event["__ow_path"] == "/a/b"
    assert "__ow_user" not in event


def test_the_http_object_carries_the_unparsed_request_in_both_modes():
    for raw in (False, True):
        event = web_event(
            request("POST", path="/a", query="x=1", body=b'{"k": 1}', content_type="text/plain"),
            raw=raw,
        )
        assert event["http"] == {
            "headers": {"accept": "*/*", "content-type": "text/plain"},
            "method": "POST",
            "path": "/a",
            "queryString": "x=1",
            "body": '{"k": 1}',
            "isBase64Encoded": False,
        }


def test_the_caller_is_named_only_when_it_sent_the_key():
    assert web_event(request(user="fn-x"), raw=False)["__ow_user"] == "fn-x"
    assert web_event(request(user="fn-x"), raw=True)["__ow_user"] == "fn-x"


def test_query_parameters_are_merged_as_strings():
    event = web_event(request(query="name=Ada&n=1&empty=&space=a+b%21"), raw=False)
    assert (event["name"], event["n"], event["empty"], event["space"]) == ("Ada", "1", "", "a b!")
    assert "__ow_query" not in event and "__ow_body" not in event


def test_a_json_object_body_is_merged_over_the_query():
    body = json.dumps({"name": "Grace", "n": 2}).encode()
    event = web_event(
        request("POST", query="name=Ada&q=1", body=body, content_type="application/json"), raw=False
    )
    assert (event["name"], event["n"], event["q"]) == ("Grace", 2, "1")


def test_a_json_body_of_another_json_type_is_merged_too():
    body = b'{"name": "Ada"}'
    event = web_event(
        request("POST", body=body, content_type="application/vnd.api+json"), raw=False
    )
    assert event["name"] == "Ada"


@pytest.mark.parametrize("value", [[1, 2], "text", 3, None])
def test_json_that_is_not_an_object_arrives_as_ow_body(value):
    body = json.dumps(value).encode()
    event = web_event(request("POST", body=body, content_type="application/json"), raw=False)
    assert event["__ow_body"] == value


def test_malformed_json_is_refused_with_the_platforms_message():
    with pytest.raises(MalformedContent) as raised:
        web_event(request("POST", body=b"{nope", content_type="application/json"), raw=False)
    assert raised.value.message.startswith("The request content was malformed:\n")


def test_a_form_body_is_merged_with_string_values():
    body = b"name=Ada+Lovelace&age=36"
    event = web_event(
        request(
            "POST", query="name=x", body=body, content_type="application/x-www-form-urlencoded"
        ),
        raw=False,
    )
    assert (event["name"], event["age"]) == ("Ada Lovelace", "36")


def test_a_text_body_arrives_as_a_string():
    event = web_event(request("POST", body="héllo".encode(), content_type="text/plain"), raw=False)
    assert event["__ow_body"] == "héllo"


@pytest.mark.parametrize("content_type", ["application/octet-stream", "image/png", None])
def test_a_binary_body_arrives_as_base64(content_type):
    data = bytes(range(256))
    event = web_event(request("POST", body=data, content_type=content_type), raw=False)
    assert base64.b64decode(event["__ow_body"]) == data


def test_an_empty_body_adds_nothing():
    event = web_event(request("POST", content_type="application/json"), raw=False)
    assert "__ow_body" not in event


@pytest.mark.parametrize(
    ("query", "body"),
    [("__ow_method=get", b""), ("", b'{"__ow_headers": {}}'), ("__ow_user=root", b"")],
)
def test_a_request_may_not_set_a_reserved_field(query, body):
    with pytest.raises(ForbiddenParameters):
        web_event(
            request("POST", query=query, body=body, content_type="application/json"), raw=False
        )


def test_raw_events_get_the_query_and_body_unparsed():
    event = web_event(
        request("POST", query="a=1&b=2", body=b"hello", content_type="text/plain"), raw=True
    )
    assert event["__ow_query"] == "a=1&b=2"
    assert event["__ow_body"] == "hello"
    assert "a" not in event
    assert event["http"]["queryString"] == "a=1&b=2"
    assert event["http"]["body"] == "hello"
    assert event["http"]["isBase64Encoded"] is False


def test_raw_events_get_json_and_binary_bodies_in_base64():
    json_event = web_event(
        request("POST", body=b'{"a": 1}', content_type="application/json"), raw=True
    )
    assert base64.b64decode(json_event["__ow_body"]) == b'{"a": 1}'
    assert json_event["http"]["isBase64Encoded"] is True
    png = web_event(request("POST", body=b"\x89PNG", content_type="image/png"), raw=True)
    assert base64.b64decode(png["__ow_body"]) == b"\x89PNG"


def test_raw_events_have_an_empty_body_and_query_when_none_was_sent():
    event = web_event(request(), raw=True)
    assert (event["__ow_query"], event["__ow_body"]) == ("", "")
    assert event["http"]["isBase64Encoded"] is False


def test_raw_events_let_any_name_through_the_query():
    event = web_event(request(query="__ow_method=x"), raw=True)
    assert event["__ow_method"] == "get"


def test_header_names_are_lower_cased_and_repeated_ones_joined():
    assert header_map([("Accept", "text/html"), ("X-A", "1"), ("accept", "image/png")]) == {
        "accept": "text/html, image/png",
        "x-a": "1",
    }


def test_the_platform_adds_forwarding_headers_and_the_request_id():
    headers = platform_headers(
        [("Host", "h"), ("X-Request-ID", "mine"), ("X-Forwarded-Proto", "https")],
        client="10.0.0.1",
        scheme="http",
        request_id="R1",
    )
    assert header_map(headers) == {
        "host": "h",
        "x-forwarded-for": "10.0.0.1",
        "x-forwarded-proto": "http",
        "x-request-id": "R1",
    }


def test_a_forwarded_for_chain_gets_the_client_appended():
    headers = platform_headers(
        [("X-Forwarded-For", "1.2.3.4")], client="10.0.0.1", scheme="http", request_id="R"
    )
    assert header_map(headers)["x-forwarded-for"] == "1.2.3.4, 10.0.0.1"
