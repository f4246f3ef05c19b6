"""Entities ⇄ OpenWhisk JSON: the one module that knows the platform's field spellings.

The activation record's JSON is both what the API returns and what the store keeps.
"""

from __future__ import annotations

from typing import Any

from emulator.entities import (
    JSON,
    Action,
    Activation,
    ActivationResponse,
    Annotations,
    Parameter,
    StatusCode,
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
