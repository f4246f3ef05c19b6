"""The one synchronous REST client of a running emulator: the command line's, and the pytest
plugin's for synchronous tests. It sends `calls` values over real HTTP on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.client import calls
from emulator.client.calls import Call
from emulator.client.connection import Connection

# Longer than the emulator's 30-second blocking wait, after which it answers 202 itself.
REQUEST_TIMEOUT = 120.0


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
    """An answer as it came: status, headers (the last of a repeated one) and raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON; text when it is not JSON, None when it is empty."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return self.body.decode(errors="replace")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A web function's redirect is its answer, for the caller to see, not to follow.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class RestClient:
    """Sends calls to the emulator at `base_url` with the key's `token` (Basic)."""

    def __init__(self, base_url: str, token: str, *, timeout: float = REQUEST_TIMEOUT) -> None:
        self.base_url = base_url
        self._token = token
        self._timeout = timeout
        # No proxy from the environment: the emulator is on this machine.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

    def send(self, call: Call) -> Reply:
        """One request; every status is an answer. EmulatorUnreachable when none comes."""
        headers = dict(call.headers)
        if call.authorized:
            headers.setdefault("Authorization", f"Basic {self._token}")
        request = urllib.request.Request(
            self.base_url + call.path, data=call.body, method=call.method, headers=headers
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return Reply(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, dict(error.headers.items()), error.read())
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            raise EmulatorUnreachable(reason) from None


class EmulatorClient:
    """One method per call `doctl serverless` makes, in the connection's namespace (`_` by
    default); a status >= 400 that is not an answer raises ApiError."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._rest = RestClient(connection.base_url, connection.credentials.token)
        self._namespace = connection.path_namespace

    @property
    def base_url(self) -> str:
        return self.connection.base_url

    def invoke(self, name: str, params: dict[str, Any], *, blocking: bool, result: bool) -> Reply:
        """POST the invoke; 200, 202 and 502 (a failed activation) are answers, not errors."""
        call = calls.invoke(
            name, params, blocking=blocking, result=result, namespace=self._namespace
        )
        return self._checked(call, answers=(202, 502))

    def list_activations(
        self,
        *,
        name: str | None = None,
        limit: int = calls.DEFAULT_LIMIT,
        skip: int = 0,
        since: int | None = None,
        upto: int | None = None,
        docs: bool = False,
    ) -> list[dict[str, Any]]:
        call = calls.activations(
            name,
            limit=limit,
            skip=skip,
            since=since,
            upto=upto,
            docs=docs,
            namespace=self._namespace,
        )
        listed: list[dict[str, Any]] = self._get(call)
        return listed

    def count_activations(self, *, name: str | None, since: int | None, upto: int | None) -> int:
        call = calls.activations(
            name, since=since, upto=upto, count=True, namespace=self._namespace
        )
        counted: int = self._get(call)["activations"]
        return counted

    def get_activation(self, activation_id: str) -> dict[str, Any]:
        record: dict[str, Any] = self._get(
            calls.activation(activation_id, namespace=self._namespace)
        )
        return record

    def activation_logs(self, activation_id: str) -> list[str]:
        call = calls.activation(activation_id, "logs", namespace=self._namespace)
        logs: list[str] = self._get(call)["logs"]
        return logs

    def activation_result(self, activation_id: str) -> dict[str, Any]:
        call = calls.activation(activation_id, "result", namespace=self._namespace)
        result: dict[str, Any] = self._get(call)
        return result

    def activation_request(self, activation_id: str) -> dict[str, Any]:
        call = calls.activation_request(activation_id, namespace=self._namespace)
        doc: dict[str, Any] = self._get(call)
        return doc

    def replay(self, activation_id: str, *, code: str) -> dict[str, Any]:
        call = calls.replay(activation_id, code=code, namespace=self._namespace)
        replayed: dict[str, Any] = self._get(call)
        return replayed

    def list_functions(self, package: str | None, *, limit: int, skip: int) -> list[dict[str, Any]]:
        call = calls.functions(package, limit=limit, skip=skip, namespace=self._namespace)
        listed: list[dict[str, Any]] = self._get(call)
        return listed

    def get_function(self, name: str, *, code: bool) -> dict[str, Any]:
        action: dict[str, Any] = self._get(
            calls.function(name, code=code, namespace=self._namespace)
        )
        return action

    def list_triggers(self) -> list[dict[str, Any]]:
        body = self._get(calls.scheduled_triggers(self._namespace))
        # DigitalOcean's API has spelled the key both ways.
        triggers: list[dict[str, Any]] = body.get("triggers", body.get("Triggers")) or []
        return triggers

    def fire_trigger(self, name: str) -> dict[str, Any]:
        fired: dict[str, Any] = self._get(calls.fire_trigger(name, namespace=self._namespace))
        return fired

    def _get(self, call: Call) -> Any:
        return self._checked(call, answers=()).json()

    def _checked(self, call: Call, *, answers: tuple[int, ...]) -> Reply:
        reply = self._rest.send(call)
        if reply.status >= 400 and reply.status not in answers:
            body = reply.json()
            raise ApiError(reply.status, _error_message(reply.status, body), body)
        return reply


def _error_message(status: int, body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    # DigitalOcean's own API (the triggers under /v2) names it `message`.
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return f"the emulator answered HTTP {status}"
