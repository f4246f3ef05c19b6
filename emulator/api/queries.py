"""Query parameters as the platform parses them, with its error messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from aiohttp import web

from emulator.namespace.entities import JSON
from emulator.namespace.errors import MalformedQueryParameter

T = TypeVar("T")

DEFAULT_LIST_LIMIT = 30
MAX_LIST_LIMIT = 200
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_SIMPLE_NAME = r"[\w](?:[\w@ .&-]{0,254}[\w@.&-])?"
# ASCII `\w`, as in the platform's (Java) pattern.
_NAME = re.compile(rf"\A{_SIMPLE_NAME}(?:/{_SIMPLE_NAME})?\Z", re.ASCII)


def boolean(request: web.Request, name: str, default: bool = False) -> bool:
    value = request.query.get(name)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise MalformedQueryParameter(name, f"'{value}' is not a valid Boolean value")


def _integer(request: web.Request, name: str, collection: str) -> int | None:
    return _parsed_integer(request, name, f"The value '{{}}' is not an integer for {collection}.")


def _parsed_integer(request: web.Request, name: str, complaint: str) -> int | None:
    """The parameter as an integer, None when absent; `complaint` formats the bad value."""
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise MalformedQueryParameter(name, complaint.format(value)) from None


def list_limit(request: web.Request, collection: str) -> int:
    """`limit`: 30 by default, at most 200; 0 means the maximum."""
    limit = _integer(request, "limit", collection)
    if limit is None:
        return DEFAULT_LIST_LIMIT
    if not 0 <= limit <= MAX_LIST_LIMIT:
        raise MalformedQueryParameter(
            "limit",
            f"The value '{limit}' is not in the range of 0 to {MAX_LIST_LIMIT} for {collection}.",
        )
    return limit or MAX_LIST_LIMIT


def page(
    request: web.Request,
    collection: str,
    entities: Sequence[T],
    render: Callable[[T], JSON],
) -> JSON:
    """A collection listing as the platform answers it: `{"<collection>": N}` with
    `count=true`, else the rendered entities that `skip` and `limit` select."""
    if boolean(request, "count"):
        return {collection: len(entities)}
    start = skip(request, collection)
    return [render(entity) for entity in entities[start : start + list_limit(request, collection)]]


def skip(request: web.Request, collection: str) -> int:
    value = _integer(request, "skip", collection) or 0
    if value < 0:
        raise MalformedQueryParameter(
            "skip", f"The value '{value}' is not greater than or equal to 0 for {collection}."
        )
    return value


def epoch_ms(request: web.Request, name: str) -> int | None:
    """`since`/`upto`: milliseconds, though the platform's message says seconds."""
    return _parsed_integer(request, name, "Parameter is not a valid value for epoch seconds: {}")


def activation_name(request: web.Request) -> str | None:
    value = request.query.get("name")
    if value is None or value == "":
        return None
    if not _NAME.match(value):
        raise MalformedQueryParameter(
            "name", f"Parameter may be a 'simple' name or 'package-name/simple' name: {value}"
        )
    return value


def blocking_wait(request: web.Request, maximum_seconds: float | None) -> float | None:
    """`timeout`: how long a blocking call waits, in ms from 1 to the platform's wait.

    With no maximum (debug mode), the call waits for ever unless `timeout` says otherwise."""
    value = request.query.get("timeout")
    if value is None or value == "":
        return maximum_seconds
    maximum_ms = None if maximum_seconds is None else int(maximum_seconds * 1000)
    try:
        wait_ms = int(value)
    except ValueError:
        wait_ms = -1
    if wait_ms < 1 or (maximum_ms is not None and wait_ms > maximum_ms):
        limit = "" if maximum_ms is None else f" up to {maximum_ms}"
        raise MalformedQueryParameter("timeout", f"Timeout must be number of milliseconds{limit}.")
    return wait_ms / 1000
