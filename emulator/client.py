"""A small REST client for a running emulator: the calls doctl's OpenWhisk client makes."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from emulator.connection import Connection

# Longer than the emulator's 30-second blocking wait, after which it answers 202 itself.
REQUEST_TIMEOUT = 90.0


class EmulatorUnreachable(Exception):
    """Nothing answers at the emulator's address; `refused` when nothing listens there."""

    def __init__(self, reason: BaseException | str) -> None:
        super().__init__(str(reason))
        self.refused = isinstance(reason, ConnectionRefusedError)


class ApiError(Exception):
    """The emulator answered with an error status; the message is its `error` field."""

    def __init__(self, status: int, message: str, body: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any


class EmulatorClient:
    """One method per REST call, in the namespace the connection names (`_` by default)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._namespace = urllib.parse.quote(connection.path_namespace, safe="")

    @property
    def base_url(self) -> str:
        return self.connection.base_url

    def invoke(self, name: str, params: dict[str, Any], *, blocking: bool, result: bool) -> Reply:
        """POST the invoke; 200, 202 and 502 (a failed activation) are answers, not errors."""
        query = {"blocking": _flag(blocking), "result": _flag(result)}
        return self._call("POST", self._ow(f"actions/{_path(name)}"), query, params, (202, 502))

    def list_activations(
        self,
        *,
        name: str | None = None,
        limit: int = 30,
        skip: int = 0,
        since: int | None = None,
        upto: int | None = None,
        docs: bool = False,
    ) -> list[dict[str, Any]]:
        query: dict[str, str] = {"limit": str(limit), "skip": str(skip)}
        optional = {"name": name, "since": since, "upto": upto, "docs": "true" if docs else None}
        query |= {key: str(value) for key, value in optional.items() if value}
        listed: list[dict[str, Any]] = self._get(self._ow("activations"), query)
        return listed

    def count_activations(self, *, name: str | None, since: int | None, upto: int | None) -> int:
        optional = {"name": name, "since": since, "upto": upto}
        query = {"count": "true"} | {key: str(value) for key, value in optional.items() if value}
        counted: int = self._get(self._ow("activations"), query)["activations"]
        return counted

    def get_activation(self, activation_id: str) -> dict[str, Any]:
        record: dict[str, Any] = self._get(self._ow(f"activations/{_path(activation_id)}"))
        return record

    def activation_logs(self, activation_id: str) -> list[str]:
        logs: list[str] = self._get(self._ow(f"activations/{_path(activation_id)}/logs"))["logs"]
        return logs

    def activation_result(self, activation_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._get(self._ow(f"activations/{_path(activation_id)}/result"))
        return result

    def list_functions(self, package: str | None, *, limit: int, skip: int) -> list[dict[str, Any]]:
        # The trailing slash is how OpenWhisk lists one package's actions.
        path = f"actions/{_path(package)}/" if package else "actions"
        query = {"limit": str(limit), "skip": str(skip)}
        listed: list[dict[str, Any]] = self._get(self._ow(path), query)
        return listed

    def get_function(self, name: str, *, code: bool) -> dict[str, Any]:
        query = {"code": _flag(code)}
        action: dict[str, Any] = self._get(self._ow(f"actions/{_path(name)}"), query)
        return action

    def list_triggers(self) -> list[dict[str, Any]]:
        body = self._get(self._do_triggers())
        # DigitalOcean's API has spelled the key both ways.
        triggers: list[dict[str, Any]] = body.get("triggers", body.get("Triggers")) or []
        return triggers

    def fire_trigger(self, name: str) -> dict[str, Any]:
        reply = self._call("POST", f"{self._do_triggers()}/{_path(name)}/fire", {}, {}, ())
        fired: dict[str, Any] = reply.body
        return fired

    def _ow(self, route: str) -> str:
        return f"/api/v1/namespaces/{self._namespace}/{route}"

    def _do_triggers(self) -> str:
        return f"/v2/functions/namespaces/{self._namespace}/triggers"

    def _get(self, path: str, query: dict[str, str] | None = None) -> Any:
        return self._call("GET", path, query or {}, None, ()).body

    def _call(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
        answers: tuple[int, ...],
    ) -> Reply:
        """Send one request; a status >= 400 not among `answers` raises ApiError."""
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Basic {self.connection.credentials.token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                return Reply(response.status, _decode(response.read()))
        except urllib.error.HTTPError as error:
            decoded = _decode(error.read())
            if error.code in answers:
                return Reply(error.code, decoded)
            raise ApiError(error.code, _error_message(error.code, decoded), decoded) from None
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            raise EmulatorUnreachable(reason) from None


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _path(name: str) -> str:
    # `pkg/fn` keeps its slash: the platform takes the nested name unencoded.
    return urllib.parse.quote(name, safe="/")


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


def _error_message(status: int, body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return f"the emulator answered HTTP {status}"
