"""Request bodies within the platform's size limit, and JSON objects."""

from __future__ import annotations

from aiohttp import web

from emulator.namespace import nesting
from emulator.namespace.entities import JSON, MAX_PAYLOAD_BYTES
from emulator.namespace.errors import MalformedContent, PayloadTooLarge, UnsupportedMediaType

# The server's own limit on any body: large enough for any the platform accepts (a 48 MB
# function, base64, on PUT); the handlers enforce the platform's own, smaller limits.
SERVER_BODY_LIMIT = 64 * 1024 * 1024


async def limited_body(request: web.Request) -> bytes:
    """The body, refused past the platform's payload limit."""
    if request.content_length is not None and request.content_length > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge("Request", request.content_length, MAX_PAYLOAD_BYTES)
    raw = await request.read()
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge("Request", len(raw), MAX_PAYLOAD_BYTES)
    return raw


async def json_object(request: web.Request) -> dict[str, JSON]:
    """The body as a JSON object; an empty body is `{}`."""
    return _parsed_object(request, await limited_body(request))


async def entity_object(request: web.Request) -> dict[str, JSON]:
    """A PUT's entity as a JSON object, within the server's size limit (a function's code may
    be 48 MB: the domain checks the platform's per-field limits)."""
    return _parsed_object(request, await request.read())


def _parsed_object(request: web.Request, raw: bytes) -> dict[str, JSON]:
    if not raw.strip():
        return {}
    content_type = request.content_type
    if content_type not in ("application/json", "application/octet-stream") and not (
        content_type.endswith("+json")
    ):
        raise UnsupportedMediaType()
    try:
        doc = nesting.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedContent(str(error)) from None
    if not isinstance(doc, dict):
        raise MalformedContent(f"Expected a JSON object but got {type(doc).__name__}.")
    return doc
