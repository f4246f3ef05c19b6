"""Five-field crontab schedules: checked as the deployer checks them (the `cron-validator` npm
package with no options: no seconds field, no `@hourly` or `jan`/`mon` aliases, no `?`, Sunday
is 0 only), and when one runs next, in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# (lowest, highest) for minute, hour, day of month, month, day of week.
FIELD_RANGES: tuple[tuple[int, int], ...] = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))

_FIELD_CHARACTERS = re.compile(r"^[0-9\-,/*]+$")
# A day-of-month that no month in this span has (`0 0 31 2 *`) never comes: stop looking.
_SEARCH_YEARS = 8


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


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A checked 5-field cron expression, as the sets of values each field allows."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 is Sunday
    # Vixie cron's rule: when both day fields are restricted (neither begins with `*`), a day
    # matching either runs; otherwise both must match (`*` matches every day).
    either_day: bool

    @classmethod
    def parse(cls, expression: str) -> CronSchedule:
        fields = expression.split()
        minutes, hours, days, months, weekdays = (
            field_values(text, low, high)
            for text, (low, high) in zip(fields, FIELD_RANGES, strict=True)
        )
        either = not fields[2].startswith("*") and not fields[4].startswith("*")
        return cls(minutes, hours, days, months, weekdays, either)

    def runs_on(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.weekday() + 1) % 7 in self.weekdays
        return in_days or in_weekdays if self.either_day else in_days and in_weekdays

    def next_after(self, moment: datetime) -> datetime | None:
        """The first minute strictly after `moment` (aware, any zone) that matches, in UTC;
        None when none comes (a day no month has)."""
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        limit = day.replace(year=day.year + _SEARCH_YEARS, day=1)
        while day < limit:
            if self.runs_on(day):
                # On the first day, only the minutes still to come.
                after = (start.hour, start.minute) if day == start.date() else (0, 0)
                for hour in sorted(h for h in self.hours if h >= after[0]):
                    first = after[1] if hour == after[0] else 0
                    minute = min((m for m in self.minutes if m >= first), default=None)
                    if minute is not None:
                        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
            day += timedelta(days=1)
        return None


def next_run(cron: str, after: datetime) -> datetime | None:
    """When a trigger with schedule `cron` runs next after `after`, in UTC."""
    return CronSchedule.parse(cron).next_after(after)
