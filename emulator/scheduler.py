"""Scheduler: when project.yml's scheduled triggers run next, and firing them on time (UTC)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from emulator.clock import Clock, IdFactory
from emulator.entities import JSON, Trigger
from emulator.errors import EmulatorError, TriggerNotFound
from emulator.invoker.invoker import Invoker
from emulator.project.cron import FIELD_RANGES, field_values

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# What a record's annotations say about the firing that caused it.
TRIGGER_ANNOTATION = "trigger"
FIRING_ANNOTATION = "firing"
SCHEDULED = "scheduled"
ON_DEMAND = "on demand"
# A day-of-month that no month in this span has (`0 0 31 2 *`) never comes: stop looking.
_SEARCH_YEARS = 8


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


@dataclass(frozen=True, slots=True)
class TriggerState:
    """A trigger, and its runs: epoch milliseconds, or None (never, or not scheduled)."""

    trigger: Trigger
    created_ms: int
    updated_ms: int
    last_run_ms: int | None = None
    next_run_ms: int | None = None


class Scheduler:
    """Fires enabled triggers when their cron says, and any trigger on demand."""

    def __init__(
        self,
        *,
        invoker: Invoker,
        clock: Clock,
        ids: IdFactory,
        sleep: Sleep = asyncio.sleep,
        firing: bool = True,
    ) -> None:
        self._invoker = invoker
        self._clock = clock
        self._ids = ids
        self._sleep = sleep
        self._firing = firing
        self._states: dict[str, TriggerState] = {}
        self._changed = asyncio.Event()

    @property
    def firing(self) -> bool:
        """Whether triggers fire on schedule (`--no-triggers` turns it off)."""
        return self._firing

    def replace(self, triggers: Iterable[Trigger]) -> None:
        """Serve these triggers from now on; an unchanged trigger keeps its runs."""
        now = self._clock.now_ms()
        states: dict[str, TriggerState] = {}
        for trigger in triggers:
            old = self._states.get(trigger.name)
            if old is not None and old.trigger == trigger:
                states[trigger.name] = old
                continue
            created = old.created_ms if old is not None else now
            last = old.last_run_ms if old is not None else None
            states[trigger.name] = TriggerState(
                trigger, created, now, last, self._next_ms(trigger, now)
            )
        self._states = states
        self._changed.set()

    def states(self) -> list[TriggerState]:
        """Every trigger, in project order."""
        return list(self._states.values())

    def state(self, name: str) -> TriggerState:
        try:
            return self._states[name]
        except KeyError:
            raise TriggerNotFound() from None

    async def fire(self, name: str) -> str:
        """Fire the trigger now, enabled or not; the activation id. A function that cannot be
        invoked raises its error."""
        state = self.state(name)
        activation_id = await self._invoke(state.trigger, ON_DEMAND)
        self._ran(name, self._clock.now_ms(), reschedule=False)
        return activation_id

    async def run(self) -> None:
        """Fire due triggers until cancelled; a firing that fails is logged, never fatal."""
        while True:
            now = self._clock.now_ms()
            for state in self.states():
                if state.next_run_ms is not None and state.next_run_ms <= now:
                    await self._fire_scheduled(state.trigger, now)
            wakes = [s.next_run_ms for s in self._states.values() if s.next_run_ms is not None]
            await self._wait(None if not wakes else (min(wakes) - now) / 1000)

    async def _fire_scheduled(self, trigger: Trigger, now: int) -> None:
        try:
            activation_id = await self._invoke(trigger, SCHEDULED)
        except EmulatorError as error:
            logger.warning(
                "trigger %s could not invoke %s: %s", trigger.name, trigger.function, error.message
            )
        except Exception:
            logger.exception("trigger %s could not invoke %s", trigger.name, trigger.function)
        else:
            logger.info("trigger %s fired %s: %s", trigger.name, trigger.function, activation_id)
        # A failed firing counts as a run: the next one is at the next scheduled time.
        self._ran(trigger.name, now, reschedule=True)

    async def _invoke(self, trigger: Trigger, firing: str) -> str:
        annotations: dict[str, JSON] = {TRIGGER_ANNOTATION: trigger.name, FIRING_ANNOTATION: firing}
        invocation = await self._invoker.invoke(
            trigger.function,
            dict(trigger.body),
            request_id=self._ids.transaction_id(),
            annotations=annotations,
        )
        return invocation.activation_id

    def _ran(self, name: str, now: int, *, reschedule: bool) -> None:
        state = self._states.get(name)
        if state is None:  # replaced while it fired
            return
        next_ms = self._next_ms(state.trigger, now) if reschedule else state.next_run_ms
        self._states[name] = dataclasses.replace(state, last_run_ms=now, next_run_ms=next_ms)

    def _next_ms(self, trigger: Trigger, now: int) -> int | None:
        if not (self._firing and trigger.enabled):
            return None
        moment = next_run(trigger.cron, datetime.fromtimestamp(now / 1000, tz=UTC))
        return None if moment is None else int(moment.timestamp() * 1000)

    async def _wait(self, seconds: float | None) -> None:
        """Sleep `seconds` (None: forever), or less when the triggers change."""
        if self._changed.is_set():
            self._changed.clear()
            return
        changed: asyncio.Task[object] = asyncio.create_task(self._changed.wait())
        sleeping = [changed]
        if seconds is not None:
            sleeping.append(asyncio.create_task(_as_coroutine(self._sleep(max(seconds, 0)))))
        try:
            await asyncio.wait(sleeping, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in sleeping:
                task.cancel()
            # gather, not `suppress(CancelledError)` around each await: that would also
            # swallow a cancellation of the scheduler itself arriving just then, and it
            # would sleep on for ever while the emulator stops.
            await asyncio.gather(*sleeping, return_exceptions=True)
        self._changed.clear()


async def _as_coroutine(awaitable: Awaitable[None]) -> object:
    await awaitable
    return None
