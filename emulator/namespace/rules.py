"""OpenWhisk triggers and the rules that connect them to functions: minimal, in memory.

(DigitalOcean's scheduled triggers, declared in project.yml, are the scheduler's.)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from emulator.namespace.clock import Clock, IdFactory
from emulator.namespace.entities import (
    ACTIVE,
    FIRST_VERSION,
    INACTIVE,
    JSON,
    Activation,
    ActivationResponse,
    Annotations,
    OpenWhiskTrigger,
    Rule,
    StatusCode,
)
from emulator.namespace.entity_bodies import BindingBody, RuleBody
from emulator.namespace.errors import BadRequest, Conflict, EmulatorError, NotFound
from emulator.namespace.invoking import Invoking, Recording
from emulator.namespace.naming import check_name, next_version
from emulator.namespace.registry import Registry


class Rules:
    """The namespace's triggers and rules; firing a trigger invokes its active rules' functions."""

    def __init__(
        self,
        *,
        registry: Registry,
        invoker: Invoking,
        store: Recording,
        subject: str,
        clock: Clock,
        ids: IdFactory,
    ) -> None:
        self._registry = registry
        self._invoker = invoker
        self._store = store
        self._subject = subject
        self._clock = clock
        self._ids = ids
        self._triggers: dict[str, OpenWhiskTrigger] = {}
        self._rules: dict[str, Rule] = {}

    @property
    def namespace(self) -> str:
        return self._registry.namespace

    def put_trigger(
        self, name: str, body: Mapping[str, Any], *, overwrite: bool
    ) -> OpenWhiskTrigger:
        check_name(name)
        old = self._triggers.get(name)
        if old is not None and not overwrite:
            raise Conflict()
        spec = BindingBody.parse(body)
        base = old or OpenWhiskTrigger(self.namespace, name)
        trigger = dataclasses.replace(
            base,
            parameters=base.parameters if spec.parameters is None else spec.parameters,
            annotations=base.annotations
            if spec.annotations is None
            else Annotations.of(spec.annotations),
            version=spec.version or (next_version(old.version) if old else FIRST_VERSION),
            publish=base.publish if spec.publish is None else spec.publish,
            updated=self._clock.now_ms(),
        )
        self._triggers[name] = trigger
        return trigger

    def trigger(self, name: str) -> OpenWhiskTrigger:
        trigger = self._triggers.get(name)
        if trigger is None:
            raise NotFound()
        return trigger

    def triggers(self) -> list[OpenWhiskTrigger]:
        return sorted(self._triggers.values(), key=lambda t: t.updated, reverse=True)

    def delete_trigger(self, name: str) -> OpenWhiskTrigger:
        trigger = self.trigger(name)
        del self._triggers[name]
        return trigger

    def rules_of(self, trigger: str) -> list[Rule]:
        return [r for r in self._rules.values() if r.trigger == trigger]

    def put_rule(self, name: str, body: Mapping[str, Any], *, overwrite: bool) -> Rule:
        check_name(name)
        old = self._rules.get(name)
        if old is not None and not overwrite:
            raise Conflict()
        spec = RuleBody.parse(body, creating=old is None)
        trigger = spec.trigger or (old.trigger if old else "")
        action = spec.action or (old.action if old else "")
        self.trigger(trigger)
        self._registry.action(action)
        rule = Rule(
            namespace=self.namespace,
            name=name,
            trigger=trigger,
            action=action,
            status=old.status if old else ACTIVE,
            annotations=Annotations.of(spec.annotations)
            if spec.annotations is not None
            else old.annotations
            if old
            else Annotations(),
            version=spec.version or (next_version(old.version) if old else FIRST_VERSION),
            publish=spec.publish if spec.publish is not None else bool(old and old.publish),
            updated=self._clock.now_ms(),
        )
        self._rules[name] = rule
        return rule

    def rule(self, name: str) -> Rule:
        rule = self._rules.get(name)
        if rule is None:
            raise NotFound()
        return rule

    def rules(self) -> list[Rule]:
        return sorted(self._rules.values(), key=lambda r: r.updated, reverse=True)

    def delete_rule(self, name: str) -> Rule:
        rule = self.rule(name)
        del self._rules[name]
        return rule

    def set_status(self, name: str, status: Any) -> Rule:
        if status not in (ACTIVE, INACTIVE):
            raise BadRequest("Rule state may only be 'active' or 'inactive'.")
        rule = dataclasses.replace(self.rule(name), status=status, updated=self._clock.now_ms())
        self._rules[name] = rule
        return rule

    async def fire(self, name: str, params: Mapping[str, JSON], *, request_id: str) -> str | None:
        """Invoke the functions of the trigger's active rules; the trigger's activation id, or
        None when no rule is active."""
        trigger = self.trigger(name)
        active = [r for r in self.rules_of(name) if r.status == ACTIVE]
        if not active:
            return None
        activation_id = self._ids.activation_id()
        event = {**{p.key: p.value for p in trigger.parameters}, **params}
        logs: list[str] = []
        for rule in active:
            logs.append(json.dumps(await self._start(rule, event, activation_id, request_id)))
        now = self._clock.now_ms()
        await self._store.finish(
            Activation(
                activation_id=activation_id,
                namespace=self.namespace,
                name=name,
                package=None,
                version=trigger.version,
                subject=self._subject,
                start=now,
                end=now,
                response=ActivationResponse(StatusCode.SUCCESS, event),
                logs=tuple(logs),
                annotations=Annotations.of({"path": f"{self.namespace}/{name}"}),
            )
        )
        return activation_id

    async def _start(
        self, rule: Rule, event: Mapping[str, JSON], cause: str, request_id: str
    ) -> dict[str, JSON]:
        """One rule's function started; the line the trigger's activation logs for it."""
        entry: dict[str, JSON] = {
            "rule": f"{self.namespace}/{rule.name}",
            "action": f"{self.namespace}/{rule.action}",
        }
        try:
            invocation = await self._invoker.invoke(
                rule.action, event, request_id=request_id, cause=cause
            )
        except EmulatorError as error:
            return {**entry, "statusCode": 1, "success": False, "error": error.message}
        return {**entry, "statusCode": 0, "success": True, "activationId": invocation.activation_id}
