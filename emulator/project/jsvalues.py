"""YAML values as the deployer (JavaScript) sees them: truthiness, `typeof`, `JSON.stringify`."""

from __future__ import annotations

import json
from typing import Any, TypeGuard


def is_falsy(value: object) -> bool:
    """JavaScript falsiness: `false`, `''`, `0`, `NaN` and `null`, but not `[]` or `{}`."""
    if value is None or value is False or value == "":
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value == 0 or value != value


def is_dictionary(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict)


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def typeof(value: object) -> str:
    """JavaScript's `typeof`, as the deployer's messages quote it."""
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def stringify(value: object) -> str:
    """`JSON.stringify`: compact, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
