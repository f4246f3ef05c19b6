"""The REST calls a client makes to a running emulator, as values: method, path and body.

The command line and the pytest plugin's handles send these same values, so every route is
spelled, and every name quoted, in this one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

# `_` is the caller's own namespace, in every route.
OWN_NAMESPACE = "_"
# The platform's default page of a listing (`doctl serverless activations list`).
DEFAULT_LIMIT = 30


@dataclass(frozen=True, slots=True)
class Call:
    """One HTTP request: method, path with query, JSON body or raw bytes, extra headers."""

    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    authorized: bool = True


def invoke(
    name: str,
    params: Mapping[str, Any] | None,
    *,
    blocking: bool,
    result: bool | None = None,
    namespace: str = OWN_NAMESPACE,
) -> Call:
    query = {"blocking": _flag(blocking)} | ({} if result is None else {"result": _flag(result)})
    path = _openwhisk(namespace, f"actions/{_quoted(name)}")
    return _json_call("POST", f"{path}?{urlencode(query)}", params or {})


def activation(activation_id: str, part: str = "", *, namespace: str = OWN_NAMESPACE) -> Call:
    """The record, or one `part` of it: `logs` or `result`."""
    route = f"activations/{quote(activation_id, safe='')}" + (f"/{part}" if part else "")
    return Call("GET", _openwhisk(namespace, route))


def activation_request(activation_id: str, *, namespace: str = OWN_NAMESPACE) -> Call:
    """What the activation was invoked with, and its outcome: the emulator's own route."""
    return Call("GET", _local(namespace, f"activations/{quote(activation_id, safe='')}/request"))


def replay(activation_id: str, *, code: str, namespace: str = OWN_NAMESPACE) -> Call:
    """Invoke the activation's function again with its request (`code`: current, recorded)."""
    route = f"activations/{quote(activation_id, safe='')}/replay"
    return _json_call("POST", _local(namespace, route), {"code": code})


def metrics() -> Call:
    return Call("GET", "/metrics")


def activations(
    name: str | None = None,
    *,
    limit: int | None = DEFAULT_LIMIT,
    skip: int | None = None,
    since: int | None = None,
    upto: int | None = None,
    docs: bool = False,
    count: bool = False,
    namespace: str = OWN_NAMESPACE,
) -> Call:
    """A page of activations, newest first; `count` asks for their number instead."""
    optional: dict[str, Any] = {
        "count": "true" if count else None,
        "limit": None if count else limit,
        "skip": None if count else skip,
        "name": name,
        "since": since,
        "upto": upto,
        "docs": "true" if docs else None,
    }
    query = {key: str(value) for key, value in optional.items() if value is not None}
    return Call("GET", _with_query(_openwhisk(namespace, "activations"), query))


def functions(
    package: str | None, *, limit: int, skip: int, namespace: str = OWN_NAMESPACE
) -> Call:
    # The trailing slash is how OpenWhisk lists one package's actions.
    route = f"actions/{_quoted(package)}/" if package else "actions"
    query = {"limit": str(limit), "skip": str(skip)}
    return Call("GET", _with_query(_openwhisk(namespace, route), query))


def function(name: str, *, code: bool, namespace: str = OWN_NAMESPACE) -> Call:
    path = _openwhisk(namespace, f"actions/{_quoted(name)}")
    return Call("GET", _with_query(path, {"code": _flag(code)}))


def scheduled_triggers(namespace: str = OWN_NAMESPACE) -> Call:
    return Call("GET", _scheduled(namespace))


def fire_trigger(name: str, *, namespace: str = OWN_NAMESPACE) -> Call:
    return _json_call("POST", f"{_scheduled(namespace)}/{quote(name, safe='')}/fire", {})


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


def _openwhisk(namespace: str, route: str) -> str:
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/{route}"


def _local(namespace: str, route: str) -> str:
    # The emulator's own routes, apart from every path of the platform's.
    return f"/emulator/v1/namespaces/{quote(namespace, safe='')}/{route}"


def _scheduled(namespace: str) -> str:
    # DigitalOcean's own API for the scheduled triggers of project.yml.
    return f"/v2/functions/namespaces/{quote(namespace, safe='')}/triggers"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _with_query(path: str, query: Mapping[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def _json_call(method: str, path: str, value: Any) -> Call:
    return Call(method, path, json.dumps(value).encode(), {"Content-Type": "application/json"})


def _quoted(name: str) -> str:
    # `pkg/fn` keeps its slash: the platform takes the nested name as two segments.
    return "/".join(quote(part, safe="") for part in name.strip("/").split("/"))
