"""A web request as the function's event: `__ow_*` fields, merged parameters, the `http` object.

`web: true` merges the query and a JSON or form body into the event; `web: raw` hands both
over unparsed. Both carry DigitalOcean's `http` object alongside OpenWhisk's `__ow_*` fields.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from emulator.namespace import nesting
from emulator.namespace.entities import JSON
from emulator.namespace.errors import ForbiddenParameters, MalformedContent
from emulator.web_functions.media import MediaType, parse_media_type

# The fields the platform adds; a request may not set them itself.
RESERVED = frozenset(
    {"__ow_method", "__ow_headers", "__ow_path", "__ow_user", "__ow_query", "__ow_body"}
)
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class WebRequest:
    method: str  # as sent: "POST"
    headers: tuple[tuple[str, str], ...]  # as sent, in order, with the platform's own added
    path: str  # what follows the function in the URL: "" or "/a/b"
    query: str  # the raw query string, without "?"
    body: bytes
    user: str | None = None  # the caller's namespace, when it sent the namespace's key


def platform_headers(
    headers: Iterable[tuple[str, str]], *, client: str | None, scheme: str, request_id: str
) -> tuple[tuple[str, str], ...]:
    """The request's headers with those DigitalOcean's edge adds: x-forwarded-for (the client
    appended), x-forwarded-proto and x-request-id."""
    kept = [(k, v) for k, v in headers if k.lower() not in ("x-forwarded-proto", "x-request-id")]
    forwarded = [v for k, v in kept if k.lower() == "x-forwarded-for"]
    kept = [(k, v) for k, v in kept if k.lower() != "x-forwarded-for"]
    chain = [*forwarded, *([client] if client else [])]
    if chain:
        kept.append(("x-forwarded-for", ", ".join(chain)))
    return (*kept, ("x-forwarded-proto", scheme), ("x-request-id", request_id))


def header_map(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased names; a repeated header's values joined with ", ", as DigitalOcean does."""
    merged: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def web_event(request: WebRequest, *, raw: bool) -> dict[str, JSON]:
    """The function's argument for this request, before the bound parameters go under it."""
    headers = header_map(request.headers)
    event: dict[str, JSON] = {
        "__ow_method": request.method.lower(),
        "__ow_headers": headers,
        "__ow_path": request.path,
    }
    if request.user is not None:
        event["__ow_user"] = request.user
    media = parse_media_type(headers.get("content-type", ""))
    body, encoded = _opaque(request.body, media)
    # DigitalOcean's own shape of the request, in both modes: the body unparsed.
    http: dict[str, JSON] = {
        "headers": headers,
        "method": request.method,
        "path": request.path,
        "queryString": request.query,
        "body": body,
        "isBase64Encoded": encoded,
    }
    if raw:
        event |= {"__ow_query": request.query, "__ow_body": body}
    else:
        # Body over query; neither may set a reserved field.
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        fields, opaque = _parsed_body(request.body, media)
        if RESERVED.intersection(query) or RESERVED.intersection(fields):
            raise ForbiddenParameters()
        event |= query | fields | opaque
    event["http"] = http
    return event


def _parsed_body(body: bytes, media: MediaType | None) -> tuple[dict[str, JSON], dict[str, JSON]]:
    """The fields of a JSON object or a form; any other body as `__ow_body`; nothing if empty."""
    if not body:
        return {}, {}
    if media is not None and media.is_json:
        try:
            value = nesting.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise MalformedContent(str(error)) from None
        return (value, {}) if isinstance(value, dict) else ({}, {"__ow_body": value})
    if media is not None and media.value == FORM:
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)), {}
    return {}, {"__ow_body": _opaque(body, media)[0]}


def _opaque(body: bytes, media: MediaType | None) -> tuple[str, bool]:
    """The body as a string, and whether it is base64: binary types are, and (as upstream
    OpenWhisk does for raw functions) so is application/json."""
    if not body:
        return "", False
    if media is None or media.is_binary or media.value == "application/json":
        return base64.b64encode(body).decode("ascii"), True
    return body.decode("utf-8", "replace"), False
