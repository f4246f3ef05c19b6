"""How deeply JSON may nest: one bound for request bodies, web events, function results and
what a project binds, so that no value is too deep to encode, store or read back.

Python's own JSON reader gives up (RecursionError) at about a thousand levels and orjson
writes at most 254, while no real payload comes close to either; everything deeper than
MAX_DEPTH is refused where it enters, as malformed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from emulator.namespace.entities import JSON

MAX_DEPTH = 128


class TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"JSON nested deeper than {MAX_DEPTH} levels")


def loads(text: str | bytes) -> JSON:
    """The value of JSON `text`; ValueError when it is not JSON or nests too deeply."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep() from None
    check_depth(value, text)
    return value


def check_depth(value: JSON, text: str | bytes | None = None) -> None:
    """TooDeep when `value` nests deeper than MAX_DEPTH (its `text`, when known, makes the
    common case a count of brackets)."""
    if text is not None and _brackets(text) <= MAX_DEPTH:
        return
    if depth(value) > MAX_DEPTH:
        raise TooDeep()


def depth(value: JSON) -> int:
    """How many objects and arrays deep `value` is (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[JSON, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[JSON] = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level) for child in children)
    return deepest


def _brackets(text: str | bytes) -> int:
    if isinstance(text, bytes):
        return text.count(b"[") + text.count(b"{")
    return text.count("[") + text.count("{")
