"""JSON responses printed compactly, as the platform prints them."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web

from emulator.entities import JSON


def _compact(doc: JSON) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def json_response(
    doc: JSON, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.json_response(doc, status=status, headers=headers, dumps=_compact)
