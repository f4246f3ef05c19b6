"""When a cron expression runs next: minute by minute, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from emulator.namespace.cron import next_run


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        # every minute: the next whole minute, never the current one
        ("* * * * *", "2026-03-01 12:00:00", "2026-03-01 12:01:00"),
        ("* * * * *", "2026-03-01 12:00:59.999", "2026-03-01 12:01:00"),
        # a fixed minute of every hour
        ("30 * * * *", "2026-03-01 12:29:00", "2026-03-01 12:30:00"),
        ("30 * * * *", "2026-03-01 12:30:00", "2026-03-01 13:30:00"),
        # a fixed time of day rolls over to tomorrow once passed
        ("15 9 * * *", "2026-03-01 09:16:00", "2026-03-02 09:15:00"),
        # steps, from the field's lowest value or from a start
        ("*/5 * * * *", "2026-03-01 12:03:00", "2026-03-01 12:05:00"),
        ("*/5 * * * *", "2026-03-01 12:55:00", "2026-03-01 13:00:00"),
        ("10/20 * * * *", "2026-03-01 12:31:00", "2026-03-01 12:50:00"),
        ("0 */6 * * *", "2026-03-01 13:00:00", "2026-03-01 18:00:00"),
        # ranges, ranges with steps, and lists
        ("0 9-11 * * *", "2026-03-01 11:00:00", "2026-03-02 09:00:00"),
        ("0-30/15 8 * * *", "2026-03-01 08:16:00", "2026-03-01 08:30:00"),
        ("5,45 1,13 * * *", "2026-03-01 01:46:00", "2026-03-01 13:05:00"),
        # months, and the day of month across month ends and leap years
        ("0 0 1 * *", "2026-01-31 23:59:00", "2026-02-01 00:00:00"),
        ("0 0 31 * *", "2026-04-01 00:00:00", "2026-05-31 00:00:00"),
        ("0 0 29 2 *", "2026-03-01 00:00:00", "2028-02-29 00:00:00"),
        ("0 12 * 6 *", "2026-03-01 00:00:00", "2026-06-01 12:00:00"),
        ("59 23 31 12 *", "2026-12-31 23:59:00", "2027-12-31 23:59:00"),
        # day of week: Sunday is 0; 2026-03-01 is a Sunday
        ("0 9 * * 1-5", "2026-02-27 10:00:00", "2026-03-02 09:00:00"),
        ("0 0 * * 0", "2026-03-01 00:00:00", "2026-03-08 00:00:00"),
        # both day fields restricted: either one matching is enough (the 13th, or a Friday)
        ("0 0 13 * 5", "2026-03-01 00:00:00", "2026-03-06 00:00:00"),
        ("0 0 13 * 5", "2026-03-11 00:00:00", "2026-03-13 00:00:00"),
        # one of them `*` or a `*/` step: both must match
        ("0 0 */2 * 5", "2026-03-01 00:00:00", "2026-03-13 00:00:00"),
        ("0 0 13 * *", "2026-03-01 00:00:00", "2026-03-13 00:00:00"),
    ],
)
def test_next_run_is_the_first_matching_minute_after(cron: str, after: str, expected: str) -> None:
    assert next_run(cron, at(after)) == at(expected)


def test_next_run_is_computed_in_utc_whatever_the_zone_of_the_moment() -> None:
    paris = timezone(timedelta(hours=1))
    # 09:30 in Paris is 08:30 UTC: the 09:00 UTC run is still to come today.
    moment = datetime(2026, 3, 2, 9, 30, tzinfo=paris)
    assert next_run("0 9 * * *", moment) == at("2026-03-02 09:00:00")
    assert next_run("0 9 * * *", moment).tzinfo is UTC  # type: ignore[union-attr]


def test_a_day_no_month_has_never_runs() -> None:
    assert next_run("0 0 31 2 *", at("2026-01-01 00:00:00")) is None
    assert next_run("0 0 30 2 *", at("2026-01-01 00:00:00")) is None
