"""Entity names in REST paths, checked as the platform checks them: before anything is looked
up, so that a bad name is a 400 on every method, not a 404 on some and a 400 on others."""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp import web

from emulator.namespace.naming import check_segment

NAMESPACES = "/api/v1/namespaces/"
# "", "api", "v1", "namespaces", namespace, collection: the names follow.
_NAMES_FROM = 6


def check_entity_names(request: web.Request) -> None:
    """Every name segment of a `/api/v1/namespaces/{ns}/{collection}/...` path.

    Read from the raw path: an encoded slash (`demo%2Fhello`) is a character of one segment,
    which no name may hold, not a separator."""
    if not request.path.startswith(NAMESPACES):
        return
    if "name" not in request.match_info and "package" not in request.match_info:
        return
    raw = request.raw_path.partition("?")[0].split("/")[_NAMES_FROM:]
    for segment in raw:
        if segment:
            check_segment(unquote(segment, errors="replace"))
