"""Entities as the platform's JSON documents: the one module that knows its field spellings.

The activation record's JSON is both what the API returns and what the store keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime

from emulator.namespace.entities import (
    JSON,
    Action,
    Activation,
    ActivationResponse,
    OpenWhiskTrigger,
    Package,
    Parameter,
    Rule,
    ScheduledTriggerState,
)


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


def trigger_to_json(trigger: OpenWhiskTrigger, rules: list[Rule] | None = None) -> dict[str, JSON]:
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


def scheduled_trigger_to_json(state: ScheduledTriggerState, namespace: str) -> dict[str, JSON]:
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


# How doctl's `namespaces list` and `connect` name the emulator's one namespace.
NAMESPACE_LABEL = "functions-emulator"
NAMESPACE_REGION = "local"


def namespace_info_to_json(
    namespace: str, *, api_host: str, uuid: str, key: str, created_ms: int
) -> dict[str, JSON]:
    """The namespace as DigitalOcean's `/v2/functions/namespaces` shows it: the API host and
    the `uuid` and `key` that doctl's `connect` stores as the namespace's credentials."""
    created = rfc3339(created_ms)
    return {
        "api_host": api_host,
        "namespace": namespace,
        "created_at": created,
        "updated_at": created,
        "label": NAMESPACE_LABEL,
        "region": NAMESPACE_REGION,
        "uuid": uuid,
        "key": key,
    }
