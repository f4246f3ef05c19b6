"""A function's result becomes the HTTP response the platform would send."""

from __future__ import annotations

import base64
import json

import pytest

from emulator.namespace.entities import ActivationResponse, StatusCode
from emulator.namespace.errors import (
    InvalidWebResponse,
    ResponseContentTypeMismatch,
    ResponsePropertyMissing,
    UnknownResponseContentType,
    WebRequestFailed,
)
from emulator.web_functions.response import WebReply, web_reply

PNG = b"\x89PNG\r\n\x1a\n\x00\x00binary"


def ok(result, extension=".http") -> WebReply:
    return web_reply(ActivationResponse(StatusCode.SUCCESS, result), extension)


def message(error_type, result, extension=".http") -> str:
    with pytest.raises(error_type) as raised:
        ok(result, extension)
    return raised.value.message


# --- .http ---------------------------------------------------------------------------------


def test_a_string_body_is_html_with_status_200_by_default():
    assert ok({"body": "<p>hi</p>"}) == WebReply(200, (), b"<p>hi</p>", "text/html; charset=UTF-8")


def test_status_and_headers_are_the_functions():
    reply = ok({"statusCode": 201, "headers": {"X-A": "1", "Location": "/x"}, "body": "made"})
    assert reply.status == 201
    assert reply.headers == (("X-A", "1"), ("Location", "/x"))


@pytest.mark.parametrize(("code", "status"), [("404", 404), (302.0, 302), ("+200", 200)])
def test_a_status_may_be_a_numeric_string_or_a_whole_number(code, status):
    assert ok({"statusCode": code, "body": "x"}).status == status


def test_an_array_value_repeats_the_header():
    reply = ok({"headers": {"Set-Cookie": ["a=1", "b=2"]}, "body": "x"})
    assert reply.headers == (("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"))


def test_numbers_and_booleans_are_header_values():
    reply = ok({"headers": {"X-N": 2, "X-F": 1.5, "X-B": True}, "body": "x"})
    assert reply.headers == (("X-N", "2"), ("X-F", "1.5"), ("X-B", "true"))


def test_the_declared_content_type_is_used_and_given_a_charset():
    reply = ok({"headers": {"content-type": "text/plain"}, "body": "hi"})
    assert (reply.content_type, reply.headers, reply.body) == (
        "text/plain; charset=UTF-8",
        (),
        b"hi",
    )
    reply = ok({"headers": {"Content-Type": "text/csv; charset=latin-1"}, "body": "a,b"})
    assert reply.content_type == "text/csv; charset=latin-1"


def test_a_binary_type_has_its_base64_body_decoded():
    reply = ok({"headers": {"Content-Type": "image/png"}, "body": base64.b64encode(PNG).decode()})
    assert (reply.body, reply.content_type) == (PNG, "image/png")


def test_a_json_type_with_a_base64_string_is_decoded_for_older_functions():
    encoded = base64.b64encode(b'{"a":1}').decode()
    reply = ok({"headers": {"Content-Type": "application/json"}, "body": encoded})
    assert (reply.body, reply.content_type) == (b'{"a":1}', "application/json")


def test_a_json_type_with_plain_text_is_sent_as_is():
    reply = ok({"headers": {"Content-Type": "application/json"}, "body": '{"a": 1}'})
    assert reply.body == b'{"a": 1}'


@pytest.mark.parametrize("body", [{"a": [1, "é"]}, [1, 2], 3, True])
def test_any_other_body_is_sent_as_json(body):
    reply = ok({"body": body})
    assert reply.status == 200
    assert reply.content_type == "application/json"
    assert reply.body == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def test_another_json_type_gets_the_body_pretty_printed():
    reply = ok({"headers": {"Content-Type": "application/problem+json"}, "body": {"a": 1}})
    assert reply.content_type == "application/problem+json; charset=UTF-8"
    assert reply.body == b'{\n  "a": 1\n}'


@pytest.mark.parametrize("result", [{}, {"body": ""}, {"body": None}, {"msg": "hi"}])
def test_no_body_is_204_without_an_entity(result):
    assert ok(result) == WebReply(204, (), b"", None)


def test_no_body_keeps_a_chosen_status_and_drops_the_content_type():
    reply = ok({"statusCode": 302, "headers": {"Location": "/", "Content-Type": "text/html"}})
    assert reply == WebReply(302, (("Location", "/"),), b"", None)


def test_the_server_sets_the_length_and_encoding_itself():
    reply = ok({"headers": {"Content-Length": "99", "Transfer-Encoding": "chunked"}, "body": "x"})
    assert reply.headers == ()


@pytest.mark.parametrize(
    "result",
    [
        "a string",
        ["a", "list"],
        {"headers": "x", "body": "x"},
        {"headers": None, "body": "x"},
        {"headers": {"X-A": {"nested": 1}}, "body": "x"},
        {"headers": {"X-A": None}, "body": "x"},
        {"headers": {"Bad Name": "1"}, "body": "x"},
        {"headers": {"X-A": "line\r\nX-Injected: 1"}, "body": "x"},
        {"statusCode": "abc", "body": "x"},
        {"statusCode": 200.5, "body": "x"},
        {"statusCode": True, "body": "x"},
        {"statusCode": None, "body": "x"},
        {"statusCode": 99, "body": "x"},
        {"statusCode": 600, "body": "x"},
    ],
)
def test_an_invalid_http_result_is_refused_with_the_platforms_message(result):
    assert message(InvalidWebResponse, result) == "Response is not valid 'message/http'."


def test_an_unparseable_content_type_is_refused():
    result = {"headers": {"Content-Type": "nonsense"}, "body": "x"}
    assert message(UnknownResponseContentType, result) == (
        "Response did not specify a known content-type."
    )


@pytest.mark.parametrize(
    "result",
    [
        {"headers": {"Content-Type": "image/png"}, "body": "not base64!"},
        {"headers": {"Content-Type": "text/html"}, "body": {"a": 1}},
        {"headers": {"Content-Type": "nonsense"}, "body": {"a": 1}},
    ],
)
def test_a_body_that_does_not_fit_its_type_is_refused(result):
    assert message(ResponseContentTypeMismatch, result) == (
        "Response type in header did not match generated content type."
    )


# --- errors --------------------------------------------------------------------------------


def test_an_application_error_projects_its_error_value():
    response = ActivationResponse.error(
        StatusCode.APPLICATION_ERROR, {"statusCode": 404, "body": "nope"}
    )
    reply = web_reply(response, ".http")
    assert (reply.status, reply.body) == (404, b"nope")


def test_an_application_error_with_a_string_is_not_valid_http():
    response = ActivationResponse.error(StatusCode.APPLICATION_ERROR, "boom")
    with pytest.raises(InvalidWebResponse):
        web_reply(response, ".http")
    assert web_reply(response, ".text").body == b"boom"


@pytest.mark.parametrize("code", [StatusCode.DEVELOPER_ERROR, StatusCode.INTERNAL_ERROR])
def test_a_failed_function_answers_only_that_there_was_an_error(code):
    with pytest.raises(WebRequestFailed) as raised:
        web_reply(ActivationResponse.error(code, "secret details"), ".http")
    assert raised.value.status == 400
    assert raised.value.message == "There was an error processing your request."


# --- other extensions ----------------------------------------------------------------------


def test_json_is_the_whole_result():
    reply = ok({"body": "x", "n": 1}, ".json")
    assert (reply.status, reply.content_type, reply.body) == (
        200,
        "application/json",
        b'{"body":"x","n":1}',
    )


def test_json_of_a_non_object_is_refused():
    response = ActivationResponse.error(StatusCode.APPLICATION_ERROR, "boom")
    with pytest.raises(InvalidWebResponse) as raised:
        web_reply(response, ".json")
    assert raised.value.message == "Response is not valid 'application/json'."


@pytest.mark.parametrize(
    ("result", "body"), [({"body": "<b>", "html": "<i>"}, b"<b>"), ({"html": "<i>"}, b"<i>")]
)
def test_html_is_the_body_or_else_the_html_property(result, body):
    reply = ok(result, ".html")
    assert (reply.content_type, reply.body) == ("text/html; charset=UTF-8", body)


@pytest.mark.parametrize("result", [{"html": 1}, {"other": "x"}])
def test_html_must_be_a_string(result):
    assert message(InvalidWebResponse, result, ".html") == "Response is not valid 'text/html'."


def test_svg_is_the_body_or_else_the_svg_property():
    reply = ok({"svg": "<svg/>"}, ".svg")
    assert (reply.content_type, reply.body) == ("image/svg+xml", b"<svg/>")
    assert message(InvalidWebResponse, {"x": 1}, ".svg") == (
        "Response is not valid 'image/svg+xml'."
    )


@pytest.mark.parametrize(
    ("result", "body"),
    [
        ({"text": "plain"}, b"plain"),
        ({"body": "first", "text": "second"}, b"first"),
        ({"text": 3}, b"3"),
        ({"text": False}, b"false"),
        ({"text": None}, b"null"),
        ({"text": {"a": 1}}, b'{\n  "a": 1\n}'),
    ],
)
def test_text_is_the_body_or_else_the_text_property(result, body):
    reply = ok(result, ".text")
    assert (reply.content_type, reply.body) == ("text/plain; charset=UTF-8", body)


def test_text_without_the_property_is_404():
    assert message(ResponsePropertyMissing, {"other": 1}, ".text") == (
        "Response does not include requested property."
    )
