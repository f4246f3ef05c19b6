"""Two outcomes of one request side by side, and their difference as a unified diff."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

COLUMN = 48


def outcome_lines(record: Mapping[str, Any]) -> list[str]:
    """A record's status and result, as lines of pretty JSON."""
    response = record.get("response") or {}
    result = json.dumps(response.get("result"), indent=2, ensure_ascii=False, sort_keys=True)
    return [f"status: {response.get('status')}", *result.splitlines()]


def side_by_side(left: list[str], right: list[str], *, width: int = COLUMN) -> list[str]:
    """Two columns, the left cut to `width` characters."""
    rows = max(len(left), len(right))
    padded = [*left, *[""] * (rows - len(left))], [*right, *[""] * (rows - len(right))]
    return [f"{_cut(a, width):<{width}} │ {b}".rstrip() for a, b in zip(*padded, strict=True)]


def difference(left: list[str], right: list[str], *, before: str, after: str) -> list[str]:
    """A unified diff of the two outcomes; [] when they are the same."""
    return [
        line.rstrip("\n") for line in difflib.unified_diff(left, right, before, after, lineterm="")
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
