"""Scheduler: when project.yml's scheduled triggers run next, and firing them on time (UTC)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime

from emulator.namespace.clock import Clock, IdFactory
from emulator.namespace.cron import is_valid_cron, next_run
from emulator.namespace.entities import JSON, ScheduledTrigger, ScheduledTriggerState
from emulator.namespace.errors import BadRequest, EmulatorError, TriggerNotFound
from emulator.namespace.invoking import Invoking

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# What a record's annotations say about the firing that caused it.
TRIGGER_ANNOTATION = "trigger"
FIRING_ANNOTATION = "firing"
SCHEDULED = "scheduled"
ON_DEMAND = "on demand"


class Scheduler:
    """Fires enabled triggers when their cron says, and any trigger on demand."""

    def __init__(
        self,
        *,
        invoker: Invoking,
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
        self._states: dict[str, ScheduledTriggerState] = {}
        self._changed = asyncio.Event()

    @property
    def firing(self) -> bool:
        """Whether triggers fire on schedule (`--no-triggers` turns it off)."""
        return self._firing

    def replace(self, triggers: Iterable[ScheduledTrigger]) -> None:
        """Serve these triggers from now on; an unchanged trigger keeps its runs."""
        now = self._clock.now_ms()
        states: dict[str, ScheduledTriggerState] = {}
        for trigger in triggers:
            old = self._states.get(trigger.name)
            if old is not None and old.trigger == trigger:
                states[trigger.name] = old
                continue
            created = old.created_ms if old is not None else now
            last = old.last_run_ms if old is not None else None
            states[trigger.name] = ScheduledTriggerState(
                trigger, created, now, last, self._next_ms(trigger, now)
            )
        self._states = states
        self._changed.set()

    def states(self) -> list[ScheduledTriggerState]:
        """Every trigger, in project order."""
        return list(self._states.values())

    def state(self, name: str) -> ScheduledTriggerState:
        try:
            return self._states[name]
        except KeyError:
            raise TriggerNotFound() from None

    def update(
        self,
        name: str,
        *,
        enabled: bool,
        cron: str | None = None,
        body: Mapping[str, JSON] | None = None,
    ) -> ScheduledTriggerState:
        """Enable or disable the trigger, or give it another schedule or body (DigitalOcean's
        `PUT .../triggers/{name}`). The next deploy of the project brings back its own."""
        state = self.state(name)
        if cron is not None and not is_valid_cron(cron):
            raise BadRequest(f"the cron expression '{cron}' is not valid crontab syntax")
        trigger = dataclasses.replace(
            state.trigger,
            enabled=enabled,
            cron=state.trigger.cron if cron is None else cron.strip(),
            body=state.trigger.body if body is None else dict(body),
        )
        now = self._clock.now_ms()
        updated = dataclasses.replace(
            state, trigger=trigger, updated_ms=now, next_run_ms=self._next_ms(trigger, now)
        )
        self._states[name] = updated
        self._changed.set()
        return updated

    def remove(self, name: str) -> ScheduledTriggerState:
        """Delete the trigger until the project is deployed again (`DELETE .../triggers/{name}`,
        which doctl's undeploy sends for each trigger of a function it removes)."""
        state = self.state(name)
        del self._states[name]
        self._changed.set()
        return state

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

    async def _fire_scheduled(self, trigger: ScheduledTrigger, now: int) -> None:
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

    async def _invoke(self, trigger: ScheduledTrigger, firing: str) -> str:
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

    def _next_ms(self, trigger: ScheduledTrigger, now: int) -> int | None:
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
