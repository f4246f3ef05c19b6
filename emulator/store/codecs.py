"""Entities as the store keeps them: the platform's documents, read back into values.

An activation is stored as the very record the API returns; a function deployed through the
API is stored as its document plus where its code lies on disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emulator.namespace.documents import action_to_json, package_to_json
from emulator.namespace.entities import (
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
