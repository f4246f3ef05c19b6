"""JSON responses printed compactly, as the platform prints them (web errors indented)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web

from emulator.namespace.entities import JSON
from emulator.store.json_text import dumps


def _compact(doc: JSON) -> str:
    # json_text.dumps: orjson, a tenth of the time for a page of activation records.
    return dumps(doc)


def _pretty(doc: JSON) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


def json_response(
    doc: JSON,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    pretty: bool = False,
) -> web.Response:
    """`pretty`: indented, as the platform prints the errors of web functions."""
    dumps = _pretty if pretty else _compact
    return web.json_response(doc, status=status, headers=headers, dumps=dumps)
