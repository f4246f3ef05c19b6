"""The bodies of PUT requests, one parser per entity kind, each field read by one rule.

OpenWhisk reads `parameters` and `annotations` the same way for every entity: a list of
`{"key": <string>, "value": ...}` objects, refused as a whole ("parameters malformed!") when
any item is not one. Packages, functions, triggers and rules share those rules here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.namespace.code_bundles import is_binary_code
from emulator.namespace.entities import (
    DEFAULT_MAIN,
    JSON,
    MAX_EXEC_BYTES,
    MAX_LOGS_MB,
    MAX_MEMORY_MB,
    MAX_PAYLOAD_BYTES,
    MAX_TIMEOUT_MS,
    MIN_MEMORY_MB,
    MIN_TIMEOUT_MS,
    Parameter,
)
from emulator.namespace.errors import BadRequest, MalformedContent, PayloadTooLarge
from emulator.namespace.runtimes import KINDS, UnknownKind, resolve_kind

Pairs = tuple[tuple[str, JSON], ...]


@dataclass(frozen=True, slots=True)
class ExecSpec:
    kind: str
    code: str
    main: str
    binary: bool


@dataclass(frozen=True, slots=True)
class ActionBody:
    """A function's PUT: each field None when the body leaves it out."""

    exec: ExecSpec | None
    parameters: tuple[Parameter, ...] | None
    annotations: Pairs | None
    removed_annotations: frozenset[str]
    limits: Mapping[str, int]
    version: str | None
    publish: bool | None

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> ActionBody:
        parsed = cls(
            exec=_exec_spec(body.get("exec")),
            parameters=parse_parameters(body.get("parameters")),
            annotations=parse_annotations(body.get("annotations")),
            removed_annotations=_keys(body.get("delAnnotations")),
            limits=_limits(body.get("limits")),
            version=_version(body),
            publish=_publish(body),
        )
        if parsed.exec is not None:
            size = len(parsed.exec.code.encode())
            if size > MAX_EXEC_BYTES:
                raise PayloadTooLarge("exec", size, MAX_EXEC_BYTES)
        _check_json_sizes(body)
        return parsed


@dataclass(frozen=True, slots=True)
class BindingBody:
    """A package's or a trigger's PUT: what it binds (parameters) and its annotations."""

    parameters: tuple[Parameter, ...] | None
    annotations: Pairs | None
    version: str | None
    publish: bool | None

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> BindingBody:
        parsed = cls(
            parameters=parse_parameters(body.get("parameters")),
            annotations=parse_annotations(body.get("annotations")),
            version=_version(body),
            publish=_publish(body),
        )
        _check_json_sizes(body)
        return parsed


@dataclass(frozen=True, slots=True)
class RuleBody:
    trigger: str | None  # the trigger's name
    action: str | None  # the function's `pkg/name` or `name`
    annotations: Pairs | None
    version: str | None
    publish: bool | None

    @classmethod
    def parse(cls, body: Mapping[str, Any], *, creating: bool) -> RuleBody:
        """A new rule must name its trigger and its function; an update may leave them out."""
        return cls(
            trigger=_simple_name(body.get("trigger"), "trigger")
            if "trigger" in body or creating
            else None,
            action=_action_path(body.get("action")) if "action" in body or creating else None,
            annotations=parse_annotations(body.get("annotations")),
            version=_version(body),
            publish=_publish(body),
        )


@dataclass(frozen=True, slots=True)
class ScheduledTriggerUpdate:
    """DigitalOcean's `PUT .../triggers/{name}` body: `is_enabled`, and optionally new
    `scheduled_details` (`cron`, `body`)."""

    enabled: bool
    cron: str | None
    body: Mapping[str, JSON] | None

    @classmethod
    def parse(cls, doc: Mapping[str, Any]) -> ScheduledTriggerUpdate:
        enabled = doc.get("is_enabled")
        if not isinstance(enabled, bool):
            raise BadRequest("is_enabled must be a boolean")
        details = doc.get("scheduled_details") or {}
        if not isinstance(details, dict):
            raise BadRequest("scheduled_details must be an object")
        cron, body = details.get("cron"), details.get("body")
        if cron is not None and not isinstance(cron, str):
            raise BadRequest("scheduled_details.cron must be a string")
        if body is not None and not isinstance(body, dict):
            raise BadRequest("scheduled_details.body must be an object")
        return cls(enabled, cron or None, body)


def parse_parameters(docs: Any) -> tuple[Parameter, ...] | None:
    if docs is None:
        return None
    if not _is_key_value_list(docs):
        raise MalformedContent("parameters malformed!")
    return tuple(Parameter(d["key"], d.get("value"), d.get("init") is True) for d in docs)


def parse_annotations(docs: Any) -> Pairs | None:
    if docs is None:
        return None
    if not _is_key_value_list(docs):
        raise MalformedContent("annotations malformed!")
    return tuple((d["key"], d.get("value")) for d in docs)


def _is_key_value_list(docs: Any) -> bool:
    return isinstance(docs, list) and all(
        isinstance(d, dict) and isinstance(d.get("key"), str) for d in docs
    )


def _version(body: Mapping[str, Any]) -> str | None:
    version = body.get("version")
    return str(version) if version else None


def _publish(body: Mapping[str, Any]) -> bool | None:
    publish = body.get("publish")
    return None if publish is None else bool(publish)


def _keys(docs: Any) -> frozenset[str]:
    if docs is None:
        return frozenset()
    if not isinstance(docs, list) or not all(isinstance(d, str) for d in docs):
        raise MalformedContent("delAnnotations malformed!")
    return frozenset(docs)


def _exec_spec(doc: Any) -> ExecSpec | None:
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise MalformedContent("exec malformed")
    kind_name = doc.get("kind")
    if not isinstance(kind_name, str):
        raise MalformedContent("'kind' must be a string defined in 'exec'")
    try:
        kind = resolve_kind(kind_name).name
    except UnknownKind:
        valid = ", ".join(f"'{k}'" for k in KINDS)
        raise MalformedContent(
            f"The specified runtime '{kind_name}' is not supported by this platform. "
            f"Valid values are: {valid}."
        ) from None
    code = doc.get("code")
    if not isinstance(code, str):
        raise MalformedContent(f"'code' must be a string defined in 'exec' for '{kind}' actions")
    main = doc.get("main")
    return ExecSpec(
        kind, code, main if isinstance(main, str) and main else DEFAULT_MAIN, is_binary_code(code)
    )


# field → (minimum, maximum, how the platform names the value and its unit)
_LIMIT_RANGES = {
    "timeout": (MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, "duration {} milliseconds", " milliseconds"),
    "memory": (MIN_MEMORY_MB, MAX_MEMORY_MB, "memory size {} MB", " MB"),
    "logs": (0, MAX_LOGS_MB, "log size {} MB", " MB"),
    "concurrency": (1, 1, "concurrency {}", ""),
}


def _limits(doc: Any) -> dict[str, int]:
    """The limits the body sets, each within DigitalOcean's range."""
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise MalformedContent("limits malformed!")
    limits: dict[str, int] = {}
    for field, value in doc.items():
        if field not in _LIMIT_RANGES:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MalformedContent(f"{field} limit malformed!")
        low, high, what, unit = _LIMIT_RANGES[field]
        number = int(value)
        subject = what.format(number)
        if number < low:
            raise BadRequest(f"{subject} below allowed threshold of {low}{unit}")
        if number > high:
            raise BadRequest(f"{subject} exceeds allowed threshold of {high}{unit}")
        limits[field] = number
    return limits


def _check_json_sizes(body: Mapping[str, Any]) -> None:
    for what in ("parameters", "annotations"):
        doc = body.get(what)
        if doc is None:
            continue
        size = len(json.dumps(doc, separators=(",", ":")).encode())
        if size > MAX_PAYLOAD_BYTES:
            raise PayloadTooLarge(what, size, MAX_PAYLOAD_BYTES)


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
