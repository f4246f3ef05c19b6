"""FunctionsEmulator: what the `functions_emulator` fixture yields, for synchronous tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulator.client import calls
from emulator.client.calls import Call
from emulator.client.rest import REQUEST_TIMEOUT, RestClient
from emulator.pytest_plugin.activation import Activation, WebResponse
from emulator.pytest_plugin.answers import decoded, seconds_of
from emulator.pytest_plugin.server import ThreadedEmulator


class FunctionsEmulator:
    """An emulator serving the project, and the calls a test makes to it, over real HTTP."""

    def __init__(self, server: ThreadedEmulator, remember: Callable[[Activation], None]) -> None:
        self._server = server
        self._remember = remember
        settings = server.emulator.settings
        self.url = settings.api_host
        self.namespace = settings.namespace
        self.auth = settings.credentials.text
        self._rest = RestClient(self.url, settings.credentials.token)

    def invoke(
        self, name: str, params: Mapping[str, Any] | None = None, *, blocking: bool = True
    ) -> Activation:
        """Invoke `pkg/fn` and return its finished activation, logs included. `blocking=False`
        invokes as an asynchronous caller does, and still waits for the end."""
        return self.activation(self.invoke_async(name, params, blocking=blocking))

    def invoke_async(
        self, name: str, params: Mapping[str, Any] | None = None, *, blocking: bool = False
    ) -> str:
        """Start an activation and return its id at once (see `activation(id)`)."""
        status, _, body = self._send(calls.invoke(name, params, blocking=blocking))
        return str(decoded(status, body)["activationId"])

    def activation(self, activation_id: str) -> Activation:
        """The activation's record, once it has ended."""
        self._server.call(self._server.emulator.wait_for(activation_id))
        status, _, body = self._send(calls.activation(activation_id))
        return self._kept(Activation.from_record(decoded(status, body)))

    def activations(
        self, name: str | None = None, limit: int = calls.DEFAULT_LIMIT
    ) -> list[Activation]:
        """The newest activations first, of one function (`pkg/fn`) or of all."""
        status, _, body = self._send(calls.activations(name, limit=limit, docs=True))
        return [self._kept(Activation.from_record(r)) for r in decoded(status, body)]

    def web(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> WebResponse:
        """Call a web function, `pkg/fn[.ext][/path]`, as a browser or a webhook would."""
        call = calls.web(
            self.namespace, method, path, json_body=json, data=data, headers=headers, query=query
        )
        status, headers_out, body = self._send(call)
        return WebResponse(status, headers_out, body)

    def fire_trigger(self, name: str) -> Activation:
        """Fire a scheduled trigger now, enabled or not; its finished activation."""
        status, _, body = self._send(calls.fire_trigger(name))
        return self.activation(str(decoded(status, body)["activationId"]))

    def advance_clock(
        self, *, seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> list[Activation]:
        """Move the emulator's clock forward; the activations of the scheduled triggers that
        came due on the way, once they have ended (every due time fires once)."""
        span = seconds_of(seconds=seconds, minutes=minutes, hours=hours, days=days)
        emulator = self._server.emulator
        ids = self._server.call(emulator.advance_clock(span, timeout=REQUEST_TIMEOUT * 5))
        return [self.activation(i) for i in ids]

    def _kept(self, activation: Activation) -> Activation:
        self._remember(activation)
        return activation

    def _send(self, call: Call) -> tuple[int, Mapping[str, str], bytes]:
        reply = self._rest.send(call)
        return reply.status, reply.headers, reply.body

    def __repr__(self) -> str:
        return f"FunctionsEmulator(url={self.url!r}, namespace={self.namespace!r})"
