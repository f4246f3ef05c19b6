"""The REST calls both handles make, as values: where each goes, and what its answer means."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from emulator.pytest_plugin.activation import FunctionsEmulatorError

# `_` is the caller's own namespace, in every route.
ACTIONS = "/api/v1/namespaces/_/actions"
ACTIVATIONS = "/api/v1/namespaces/_/activations"
TRIGGERS = "/v2/functions/namespaces/_/triggers"
# The platform's default page of activations (`doctl serverless activations list`).
DEFAULT_LIMIT = 30


@dataclass(frozen=True, slots=True)
class Call:
    """One HTTP request: method, path with query, JSON body or raw bytes, extra headers."""

    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    authorized: bool = True


def invoke(name: str, params: Mapping[str, Any] | None, *, blocking: bool) -> Call:
    query = urlencode({"blocking": "true" if blocking else "false"})
    return _json_call("POST", f"{ACTIONS}/{_quoted(name)}?{query}", params or {})


def activation(activation_id: str) -> Call:
    return Call("GET", f"{ACTIVATIONS}/{quote(activation_id, safe='')}")


def activations(name: str | None, limit: int) -> Call:
    query: dict[str, str | int] = {"docs": "true", "limit": limit}
    if name:
        query["name"] = name
    return Call("GET", f"{ACTIVATIONS}?{urlencode(query)}")


def fire_trigger(name: str) -> Call:
    return Call("POST", f"{TRIGGERS}/{quote(name, safe='')}/fire")


def web(
    namespace: str,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    data: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, Any] | None = None,
) -> Call:
    """A call to a web function: `pkg/fn[.ext][/more]` under the namespace, or an absolute path
    (`/api/v1/web/...`). Web functions need no key, so none is sent unless `headers` has one."""
    if json_body is not None and data is not None:
        raise ValueError("give json or data, not both")
    address = path if path.startswith("/") else f"/api/v1/web/{namespace}/{path}"
    if query:
        address += ("&" if "?" in address else "?") + urlencode(query, doseq=True)
    sent = dict(headers or {})
    body: bytes | None = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        sent.setdefault("Content-Type", "application/json")
    elif data is not None:
        body = data.encode() if isinstance(data, str) else data
    return Call(method.upper(), address, body, sent, authorized=False)


def decoded(status: int, body: bytes) -> Any:
    """The JSON an API call answered; its `error` as FunctionsEmulatorError when it failed
    without an activation (an activation that failed is an answer, not an error)."""
    try:
        value = json.loads(body) if body else None
    except ValueError:
        value = None
    if isinstance(value, dict) and "activationId" in value:
        return value
    if status >= 400:
        message = value.get("error") if isinstance(value, dict) else None
        raise FunctionsEmulatorError(status, str(message or body.decode(errors="replace")))
    return value


def seconds_of(*, seconds: float, minutes: float, hours: float, days: float) -> float:
    return seconds + 60 * minutes + 3600 * hours + 86400 * days


def _json_call(method: str, path: str, value: Any) -> Call:
    return Call(method, path, json.dumps(value).encode(), {"Content-Type": "application/json"})


def _quoted(name: str) -> str:
    return "/".join(quote(part, safe="") for part in name.strip("/").split("/"))
