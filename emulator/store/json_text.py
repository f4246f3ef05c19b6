"""JSON text for the store and the hot paths: orjson where it can, the standard library where
orjson refuses (integers beyond 64 bits, NaN)."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: object) -> str:
    """Compact JSON text, UTF-8 unescaped: the store's and the hot paths' encoder."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        # What orjson refuses and the standard library writes: integers beyond 64 bits.
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """The value of JSON `text` (as the standard library reads it, NaN included)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
