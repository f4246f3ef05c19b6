"""Entities ⇄ OpenWhisk JSON: the one module that knows the platform's field spellings.

The activation record's JSON is both what the API returns and what the store keeps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from emulator.entities import (
    JSON,
    Action,
    Activation,
    ActivationResponse,
    Annotations,
    Exec,
    Limits,
    Package,
    Parameter,
    StatusCode,
)

if TYPE_CHECKING:
    from emulator.rules import Rule, TriggerEntity
    from emulator.scheduler import TriggerState


def dumps(value: object) -> str:
    """Compact JSON text, UTF-8 unescaped: the store's and the hot paths' encoder."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        # What orjson refuses and the standard library writes: integers beyond 64 bits.
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """The value of JSON `text` (as the standard library reads it, NaN included)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def response_to_json(response: ActivationResponse) -> dict[str, JSON]:
    doc: dict[str, JSON] = {
        "status": response.status_code.status,
        "statusCode": int(response.status_code),
        "success": response.success,
        "result": response.result,
    }
    if response.size is not None:
        doc["size"] = response.size
    return doc


def activation_to_json(activation: Activation, *, with_logs: bool = True) -> dict[str, JSON]:
    """The full record (`GET .../activations/{id}`, `docs=true`, blocking invokes)."""
    doc: dict[str, JSON] = {
        "namespace": activation.namespace,
        "name": activation.name,
        "version": activation.version,
        "subject": activation.subject,
        "activationId": activation.activation_id,
        "start": activation.start,
        "end": activation.end,
        "duration": activation.duration,
        "statusCode": int(activation.response.status_code),
        "response": response_to_json(activation.response),
        "logs": list(activation.logs) if with_logs else [],
        "annotations": activation.annotations.as_json(),
        "publish": False,
    }
    if activation.cause is not None:
        doc["cause"] = activation.cause
    return doc


def activation_summary_json(activation: Activation) -> dict[str, JSON]:
    """A list item without `docs=true`: no `response`, no `logs`."""
    doc = activation_to_json(activation)
    del doc["response"], doc["logs"], doc["subject"]
    return doc


def activation_from_json(doc: dict[str, Any]) -> Activation:
    response = doc["response"]
    path = next((a["value"] for a in doc["annotations"] if a["key"] == "path"), "")
    segments = str(path).split("/")
    package = segments[1] if len(segments) == 3 else None
    return Activation(
        activation_id=doc["activationId"],
        namespace=doc["namespace"],
        name=doc["name"],
        package=package,
        version=doc["version"],
        subject=doc["subject"],
        start=doc["start"],
        end=doc["end"],
        response=ActivationResponse(
            StatusCode(response["statusCode"]), response["result"], response.get("size")
        ),
        logs=tuple(doc["logs"]),
        annotations=Annotations.of((a["key"], a["value"]) for a in doc["annotations"]),
        cause=doc.get("cause"),
    )


def parameters_to_json(parameters: tuple[Parameter, ...]) -> list[dict[str, JSON]]:
    return [
        {"key": p.key, "value": p.value, **({"init": True} if p.init else {})} for p in parameters
    ]


def action_summary_json(action: Action) -> dict[str, JSON]:
    """An item of `GET .../actions`."""
    return {
        "namespace": action.entity_namespace,
        "name": action.name,
        "version": action.version,
        "publish": action.publish,
        "annotations": action.annotations.as_json(),
        "limits": action.limits.as_json(),
        "exec": {"binary": action.exec.binary},
        "updated": action.updated,
    }


def action_to_json(
    action: Action, *, parameters: tuple[Parameter, ...], code: str | None
) -> dict[str, JSON]:
    """`GET .../actions/{name}`; `code` is None when the caller asked for `code=false`."""
    exec_doc: dict[str, JSON] = {"kind": action.exec.kind, "binary": action.exec.binary}
    if code is not None:
        exec_doc["code"] = code
    exec_doc["main"] = action.exec.main
    return {
        "namespace": action.entity_namespace,
        "name": action.name,
        "version": action.version,
        "publish": action.publish,
        "exec": exec_doc,
        "parameters": parameters_to_json(parameters),
        "limits": action.limits.as_json(),
        "annotations": action.annotations.as_json(),
        "updated": action.updated,
    }


def parameters_from_json(docs: list[dict[str, Any]]) -> tuple[Parameter, ...]:
    return tuple(Parameter(d["key"], d.get("value"), bool(d.get("init", False))) for d in docs)


def annotations_from_json(docs: list[dict[str, Any]]) -> Annotations:
    return Annotations.of((d["key"], d.get("value")) for d in docs)


def action_record_json(action: Action) -> dict[str, JSON]:
    """What the entity store keeps of a function: its JSON, with where its code lies."""
    doc = action_to_json(action, parameters=action.parameters, code=None)
    doc["package"] = action.package
    doc["namespace"] = action.namespace
    doc["exec"] = {
        "kind": action.exec.kind,
        "main": action.exec.main,
        "binary": action.exec.binary,
        "source": str(action.exec.source),
    }
    return doc


def action_from_record(doc: dict[str, Any]) -> Action:
    exec_doc = doc["exec"]
    return Action(
        namespace=doc["namespace"],
        package=doc["package"],
        name=doc["name"],
        exec=Exec(exec_doc["kind"], exec_doc["main"], Path(exec_doc["source"]), exec_doc["binary"]),
        parameters=parameters_from_json(doc["parameters"]),
        annotations=annotations_from_json(doc["annotations"]),
        limits=Limits(**doc["limits"]),
        version=doc["version"],
        publish=doc["publish"],
        updated=doc["updated"],
    )


def package_summary_json(package: Package) -> dict[str, JSON]:
    """An item of `GET .../packages`."""
    return {
        "namespace": package.namespace,
        "name": package.name,
        "version": package.version,
        "publish": package.publish,
        "annotations": package.annotations.as_json(),
        "binding": False,
        "updated": package.updated,
    }


def package_to_json(package: Package, *, actions: list[Action] | None = None) -> dict[str, JSON]:
    """The package entity; with `actions`, as `GET .../packages/{name}` shows it."""
    doc: dict[str, JSON] = {
        "namespace": package.namespace,
        "name": package.name,
        "version": package.version,
        "publish": package.publish,
        "parameters": parameters_to_json(package.parameters),
        "annotations": package.annotations.as_json(),
        "binding": {},
        "updated": package.updated,
    }
    if actions is not None:
        entries = [
            (a, {"name": a.name, "version": a.version, "annotations": a.annotations.as_json()})
            for a in actions
        ]
        # An action with a `feed` annotation is one of the package's feeds.
        doc["actions"] = [e for a, e in entries if a.annotations.get("feed") is None]
        doc["feeds"] = [e for a, e in entries if a.annotations.get("feed") is not None]
    return doc


def package_from_record(doc: dict[str, Any]) -> Package:
    return Package(
        namespace=doc["namespace"],
        name=doc["name"],
        parameters=parameters_from_json(doc["parameters"]),
        annotations=annotations_from_json(doc["annotations"]),
        publish=doc["publish"],
        version=doc["version"],
        updated=doc["updated"],
    )


def package_record_json(package: Package) -> dict[str, JSON]:
    """What the entity store keeps of a package."""
    return package_to_json(package)


def trigger_to_json(trigger: TriggerEntity, rules: list[Rule] | None = None) -> dict[str, JSON]:
    """A trigger; with `rules`, as `GET .../triggers/{name}` shows it."""
    doc: dict[str, JSON] = {
        "namespace": trigger.namespace,
        "name": trigger.name,
        "version": trigger.version,
        "publish": trigger.publish,
        "parameters": parameters_to_json(trigger.parameters),
        "limits": {},
        "annotations": trigger.annotations.as_json(),
        "updated": trigger.updated,
    }
    if rules:
        doc["rules"] = {
            f"{r.namespace}/{r.name}": {"action": _action_ref(r), "status": r.status} for r in rules
        }
    return doc


def _action_ref(rule: Rule) -> dict[str, JSON]:
    package, _, name = rule.action.rpartition("/")
    path = f"{rule.namespace}/{package}" if package else rule.namespace
    return {"path": path, "name": name}


def rule_to_json(rule: Rule) -> dict[str, JSON]:
    return {
        "namespace": rule.namespace,
        "name": rule.name,
        "version": rule.version,
        "publish": rule.publish,
        "status": rule.status,
        "trigger": {"path": rule.namespace, "name": rule.trigger},
        "action": _action_ref(rule),
        "annotations": rule.annotations.as_json(),
        "updated": rule.updated,
    }


def scheduled_trigger_to_json(state: TriggerState, namespace: str) -> dict[str, JSON]:
    """A project.yml trigger as DigitalOcean's `/v2/functions/.../triggers` shows it."""
    trigger = state.trigger
    return {
        "namespace": namespace,
        "function": trigger.function,
        "type": "SCHEDULED",
        "name": trigger.name,
        "is_enabled": trigger.enabled,
        "created_at": rfc3339(state.created_ms),
        "updated_at": rfc3339(state.updated_ms),
        "scheduled_details": {"cron": trigger.cron, "body": dict(trigger.body)},
        "scheduled_runs": {
            "last_run_at": rfc3339(state.last_run_ms),
            "next_run_at": rfc3339(state.next_run_ms),
        },
    }


def rfc3339(ms: int | None) -> str | None:
    """Epoch milliseconds as DigitalOcean prints times (`2026-03-01T12:00:00Z`), or None."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
