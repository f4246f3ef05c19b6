"""A web function's result as the HTTP response, per URL extension, with the platform's 400s.

Success results are projected whole; for an application error the value of `error` is, so a
function can fail with `{"error": {"statusCode": 404, "body": "..."}}`. Developer and internal
errors answer only "There was an error processing your request.".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from emulator.namespace.entities import JSON, ActivationResponse, StatusCode
from emulator.namespace.errors import (
    InvalidWebResponse,
    ResponseContentTypeMismatch,
    ResponsePropertyMissing,
    UnknownResponseContentType,
    WebRequestFailed,
)
from emulator.web_functions.media import APPLICATION_JSON, TEXT_HTML, MediaType, parse_media_type

# A web call still running after the blocking wait: the platform answers 202 with this.
RESPONSE_NOT_READY = "Response not yet ready."
_HEADER_NAME = re.compile(r"\A[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
# A field value: no control character but tab (CR, LF and NUL would split or end the head).
_HEADER_VALUE = re.compile(r"\A[^\x00-\x08\x0a-\x1f\x7f]*\Z")
# What HTTP clients and proxies accept in a response head (aiohttp's client reads at most
# 8190 bytes a line and 128 fields; nginx and browsers are of the same order). A function
# past them gets the platform's 400 rather than a response its caller cannot read.
MAX_HEADER_FIELDS = 100
MAX_HEADER_LINE = 8190
MAX_HEADER_BYTES = 64 * 1024
_STATUS_TEXT = re.compile(r"\A[+-]?[0-9]+\Z")
_BASE64 = re.compile(r"\A(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)?\Z")
# The server sets these from the body; a function's own values are ignored, as the
# platform's HTTP server ignores them.
_MANAGED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
HTML = "text/html; charset=UTF-8"
TEXT = "text/plain; charset=UTF-8"
SVG = "image/svg+xml"
JSON_TYPE = "application/json"


class _Invalid(Exception):
    """The result is not a valid `message/http` response."""


@dataclass(frozen=True, slots=True)
class WebReply:
    status: int
    # In order; a name may repeat (several Set-Cookie).
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    content_type: str | None = None  # None: no entity at all


def web_reply(response: ActivationResponse, extension: str) -> WebReply:
    """The HTTP response for a finished activation, through the URL's extension."""
    if response.status_code is StatusCode.SUCCESS:
        projected = response.result
    elif response.status_code is StatusCode.APPLICATION_ERROR:
        if not isinstance(response.result, dict) or "error" not in response.result:
            raise ResponsePropertyMissing()
        projected = response.result["error"]
    else:
        raise WebRequestFailed()
    return PROJECTIONS[extension](projected)


def as_http(result: JSON) -> WebReply:
    """`.http`: `statusCode`, `headers` and `body` make the response."""
    try:
        if not isinstance(result, dict):
            raise _Invalid()
        headers = _bounded(tuple(_headers(result["headers"]))) if "headers" in result else ()
        status = _status(result["statusCode"]) if "statusCode" in result else None
    except _Invalid:
        raise InvalidWebResponse("message/http") from None
    body = result.get("body")
    if body is None or body == "":
        # No entity: 204 unless the function chose a status; its Content-Type goes too.
        return WebReply(status or 204, _without_content_type(headers))
    if isinstance(body, str):
        return _string_body(status or 200, headers, body)
    return _json_body(status or 200, headers, body)


def as_json(result: JSON) -> WebReply:
    """`.json`: the whole result."""
    if not isinstance(result, dict | list):
        raise InvalidWebResponse("application/json")
    return WebReply(200, body=_compact(result).encode(), content_type=JSON_TYPE)


def as_html(result: JSON) -> WebReply:
    """`.html`: the result's `body`, else its `html`, which must be a string."""
    html = _property(result, "html")
    if not isinstance(html, str):
        raise InvalidWebResponse("text/html")
    return WebReply(200, body=html.encode(), content_type=HTML)


def as_svg(result: JSON) -> WebReply:
    """`.svg`: the result's `body`, else its `svg`, which must be a string."""
    svg = _property(result, "svg")
    if not isinstance(svg, str):
        raise InvalidWebResponse("image/svg+xml")
    return WebReply(200, body=svg.encode(), content_type=SVG)


def as_text(result: JSON) -> WebReply:
    """`.text`: the result's `body`, else its `text`, as text; 404 when it has neither."""
    if isinstance(result, dict) and "body" not in result and "text" not in result:
        raise ResponsePropertyMissing()
    text = _property(result, "text")
    if isinstance(text, str):
        rendered = text
    elif isinstance(text, dict | list):
        rendered = json.dumps(text, indent=2, ensure_ascii=False)
    else:
        rendered = json.dumps(text)
    return WebReply(200, body=rendered.encode(), content_type=TEXT)


PROJECTIONS: Mapping[str, Callable[[JSON], WebReply]] = {
    ".http": as_http,
    ".json": as_json,
    ".html": as_html,
    ".svg": as_svg,
    ".text": as_text,
}


def _property(result: JSON, name: str) -> JSON:
    if isinstance(result, dict):
        return result["body"] if "body" in result else result.get(name)
    return result


def _status(value: JSON) -> int:
    if isinstance(value, bool):
        raise _Invalid()
    whole = isinstance(value, float) and value.is_integer()
    if whole or (isinstance(value, str) and _STATUS_TEXT.match(value)):
        value = int(value)
    if not isinstance(value, int) or not 200 <= value <= 599:
        raise _Invalid()
    return value


def _headers(value: JSON) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        raise _Invalid()
    for name, item in value.items():
        if not _HEADER_NAME.match(name):
            raise _Invalid()
        for text in _header_values(item):
            if not _HEADER_VALUE.match(text):
                raise _Invalid()
            if name.lower() not in _MANAGED_HEADERS:
                yield name, text


def _bounded(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    lines = [len(f"{name}: {value}".encode()) for name, value in headers]
    too_long = any(line > MAX_HEADER_LINE for line in lines)
    if too_long or len(lines) > MAX_HEADER_FIELDS or sum(lines) > MAX_HEADER_BYTES:
        raise _Invalid()
    return headers


def _header_values(value: JSON) -> Iterator[str]:
    """A string, number or boolean; an array of them repeats the header."""
    if isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, str):
        yield value
    elif isinstance(value, int | float):
        yield json.dumps(value)
    elif isinstance(value, list):
        for item in value:
            yield from _header_values(item)
    else:
        raise _Invalid()


def _declared_type(headers: tuple[tuple[str, str], ...]) -> str | None:
    return next((v for k, v in headers if k.lower() == "content-type"), None)


def _without_content_type(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in headers if k.lower() != "content-type")


def _string_body(status: int, headers: tuple[tuple[str, str], ...], body: str) -> WebReply:
    """A string body: text as is, binary types base64-decoded (JSON types too when the string
    looks like base64, for functions written before JSON bodies could be objects)."""
    declared = _declared_type(headers)
    media = TEXT_HTML if declared is None else parse_media_type(declared)
    if media is None:
        raise UnknownResponseContentType()
    if media.is_binary or (media.is_json and _BASE64.match(body)):
        data = _base64_decoded(body)
    else:
        data = body.encode()
    content_type = declared if declared is not None else HTML
    if declared is not None and not media.is_binary and media.charset is None:
        content_type = _with_charset(media)
    return WebReply(status, _without_content_type(headers), data, content_type)


def _json_body(status: int, headers: tuple[tuple[str, str], ...], body: JSON) -> WebReply:
    """Any other body is sent as JSON: `application/json` unless another JSON type is named."""
    declared = _declared_type(headers)
    media = APPLICATION_JSON if declared is None else parse_media_type(declared)
    if media is None or not media.is_json:
        raise ResponseContentTypeMismatch()
    if media.value == JSON_TYPE:
        data, content_type = _compact(body), JSON_TYPE
    else:
        data, content_type = json.dumps(body, indent=2, ensure_ascii=False), _with_charset(media)
    return WebReply(status, _without_content_type(headers), data.encode(), content_type)


def _with_charset(media: MediaType) -> str:
    if media.value == JSON_TYPE:
        return JSON_TYPE
    return f"{media.value}; charset=UTF-8"


def _base64_decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ResponseContentTypeMismatch() from None


def _compact(doc: JSON) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
