"""Five-field crontab syntax, as the deployer checks it (the `cron-validator` npm package with
no options: no seconds field, no `@hourly` or `jan`/`mon` aliases, no `?`, Sunday is 0 only)."""

from __future__ import annotations

import re

# (lowest, highest) for minute, hour, day of month, month, day of week.
FIELD_RANGES: tuple[tuple[int, int], ...] = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))

_FIELD_CHARACTERS = re.compile(r"^[0-9\-,/*]+$")


def is_valid_cron(expression: str) -> bool:
    fields = expression.split()
    if len(fields) != len(FIELD_RANGES):
        return False
    return all(_is_valid_field(f, *bounds) for f, bounds in zip(fields, FIELD_RANGES, strict=True))


def field_values(field: str, low: int, high: int) -> frozenset[int]:
    """The values a valid field names: `*`, `N`, `N-M`, each optionally `/STEP`, comma-joined.

    `N/STEP` runs from N to the field's highest value, as the cron-parser npm package reads it."""
    values: set[int] = set()
    for item in field.split(","):
        span, _, step = item.partition("/")
        if span == "*":
            first, last = low, high
        else:
            start, dash, end = span.partition("-")
            first = int(start)
            last = int(end) if dash else (high if step else first)
        values.update(range(first, last + 1, int(step or 1)))
    return frozenset(values)


def _is_valid_field(field: str, low: int, high: int) -> bool:
    if not _FIELD_CHARACTERS.match(field):
        return False
    return all(_is_valid_item(item, low, high) for item in field.split(","))


def _is_valid_item(item: str, low: int, high: int) -> bool:
    """`*`, `N` or `N-M`, optionally followed by `/STEP`."""
    span, slash, step = item.partition("/")
    if slash and not (step.isdigit() and int(step) > 0):
        # cron-validator lets `*/0` pass; a schedule that never advances is refused here.
        return False
    if span == "*":
        return True
    first, dash, last = span.partition("-")
    if not dash:
        return first.isdigit() and low <= int(first) <= high
    if not (first.isdigit() and last.isdigit()):
        return False
    return low <= int(first) <= int(last) <= high
