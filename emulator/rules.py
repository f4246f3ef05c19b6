"""OpenWhisk triggers and the rules that connect them to functions: minimal, in memory.

(Scheduled triggers from project.yml are DigitalOcean's own and live in project/triggers.py.)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.clock import Clock, IdFactory
from emulator.deployments import FIRST_VERSION, check_name, next_version
from emulator.entities import (
    JSON,
    Activation,
    ActivationResponse,
    Annotations,
    Parameter,
    StatusCode,
)
from emulator.errors import BadRequest, Conflict, EmulatorError, MalformedContent, NotFound
from emulator.invoker.invoker import Invoker
from emulator.registry import Registry
from emulator.store.activations import ActivationStore

ACTIVE = "active"
INACTIVE = "inactive"


@dataclass(frozen=True, slots=True)
class TriggerEntity:
    namespace: str
    name: str
    parameters: tuple[Parameter, ...] = ()
    annotations: Annotations = field(default_factory=Annotations)
    version: str = FIRST_VERSION
    publish: bool = False
    updated: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    namespace: str
    name: str
    trigger: str  # the trigger's name
    action: str  # the function's `pkg/name` or `name`
    status: str = ACTIVE
    annotations: Annotations = field(default_factory=Annotations)
    version: str = FIRST_VERSION
    publish: bool = False
    updated: int = 0


class Rules:
    """The namespace's triggers and rules; firing a trigger invokes its active rules' functions."""

    def __init__(
        self,
        *,
        registry: Registry,
        invoker: Invoker,
        store: ActivationStore,
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
        self._triggers: dict[str, TriggerEntity] = {}
        self._rules: dict[str, Rule] = {}

    @property
    def namespace(self) -> str:
        return self._registry.namespace

    def put_trigger(self, name: str, body: Mapping[str, Any], *, overwrite: bool) -> TriggerEntity:
        check_name(name)
        old = self._triggers.get(name)
        if old is not None and not overwrite:
            raise Conflict()
        base = old or TriggerEntity(self.namespace, name)
        trigger = dataclasses.replace(
            base,
            parameters=_parameters(body.get("parameters"), base.parameters),
            annotations=_annotations(body.get("annotations"), base.annotations),
            version=str(
                body.get("version") or (next_version(old.version) if old else FIRST_VERSION)
            ),
            publish=bool(body.get("publish", base.publish)),
            updated=self._clock.now_ms(),
        )
        self._triggers[name] = trigger
        return trigger

    def trigger(self, name: str) -> TriggerEntity:
        trigger = self._triggers.get(name)
        if trigger is None:
            raise NotFound()
        return trigger

    def triggers(self) -> list[TriggerEntity]:
        return sorted(self._triggers.values(), key=lambda t: t.updated, reverse=True)

    def delete_trigger(self, name: str) -> TriggerEntity:
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
        trigger = (
            _simple_name(body.get("trigger"), "trigger")
            if "trigger" in body or not old
            else old.trigger
        )
        action = _action_path(body.get("action")) if "action" in body or not old else old.action
        self.trigger(trigger)
        self._registry.action(action)
        rule = Rule(
            namespace=self.namespace,
            name=name,
            trigger=trigger,
            action=action,
            status=old.status if old else ACTIVE,
            annotations=_annotations(
                body.get("annotations"), old.annotations if old else Annotations()
            ),
            version=str(
                body.get("version") or (next_version(old.version) if old else FIRST_VERSION)
            ),
            publish=bool(body.get("publish", old.publish if old else False)),
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


def _parameters(docs: Any, default: tuple[Parameter, ...]) -> tuple[Parameter, ...]:
    if docs is None:
        return default
    if not isinstance(docs, list) or not all(isinstance(d, dict) and "key" in d for d in docs):
        raise MalformedContent("parameters malformed!")
    return tuple(Parameter(str(d["key"]), d.get("value"), d.get("init") is True) for d in docs)


def _annotations(docs: Any, default: Annotations) -> Annotations:
    if docs is None:
        return default
    if not isinstance(docs, list) or not all(isinstance(d, dict) and "key" in d for d in docs):
        raise MalformedContent("annotations malformed!")
    return Annotations.of((str(d["key"]), d.get("value")) for d in docs)


def _segments(value: Any, what: str) -> list[str]:
    if not isinstance(value, str) or not value.strip("/"):
        raise MalformedContent(f"'{what}' must be a string naming the {what}")
    qualified = value.startswith("/")
    segments = value.strip("/").split("/")
    # `/ns/name` and `/ns/pkg/name` carry the namespace first.
    return segments[1:] if qualified else segments


def _simple_name(value: Any, what: str) -> str:
    return _segments(value, what)[-1]


def _action_path(value: Any) -> str:
    return "/".join(_segments(value, "action")[-2:])
