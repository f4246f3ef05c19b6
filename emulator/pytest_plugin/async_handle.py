"""AsyncFunctionsEmulator: what `functions_emulator_async` yields, the same calls as
coroutines, for tests that run in an event loop (pytest-aiohttp, pytest-asyncio)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from emulator.client import calls
from emulator.client.calls import Call
from emulator.pytest_plugin.activation import Activation, WebResponse
from emulator.pytest_plugin.answers import decoded, seconds_of
from emulator.pytest_plugin.server import RunningEmulator

# Longer than the 30 s a blocking call waits before it answers 202.
_HTTP_TIMEOUT = aiohttp.ClientTimeout(total=120)


class AsyncFunctionsEmulator:
    """An emulator serving the project in the test's own event loop, over real HTTP."""

    def __init__(
        self,
        emulator: RunningEmulator,
        session: aiohttp.ClientSession,
        remember: Callable[[Activation], None],
    ) -> None:
        self._emulator = emulator
        self._session = session
        self._remember = remember
        settings = emulator.settings
        self.url = settings.api_host
        self.namespace = settings.namespace
        self.auth = settings.credentials.text
        self._token = settings.credentials.token

    async def invoke(
        self, name: str, params: Mapping[str, Any] | None = None, *, blocking: bool = True
    ) -> Activation:
        """Invoke `pkg/fn` and return its finished activation, logs included."""
        return await self.activation(await self.invoke_async(name, params, blocking=blocking))

    async def invoke_async(
        self, name: str, params: Mapping[str, Any] | None = None, *, blocking: bool = False
    ) -> str:
        """Start an activation and return its id at once (see `activation(id)`)."""
        status, _, body = await self._send(calls.invoke(name, params, blocking=blocking))
        return str(decoded(status, body)["activationId"])

    async def activation(self, activation_id: str) -> Activation:
        """The activation's record, once it has ended."""
        await self._emulator.wait_for(activation_id)
        status, _, body = await self._send(calls.activation(activation_id))
        return self._kept(Activation.from_record(decoded(status, body)))

    async def activations(
        self, name: str | None = None, limit: int = calls.DEFAULT_LIMIT
    ) -> list[Activation]:
        """The newest activations first, of one function (`pkg/fn`) or of all."""
        status, _, body = await self._send(calls.activations(name, limit=limit, docs=True))
        return [self._kept(Activation.from_record(r)) for r in decoded(status, body)]

    async def web(
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
        status, headers_out, body = await self._send(call)
        return WebResponse(status, headers_out, body)

    async def fire_trigger(self, name: str) -> Activation:
        """Fire a scheduled trigger now, enabled or not; its finished activation."""
        status, _, body = await self._send(calls.fire_trigger(name))
        return await self.activation(str(decoded(status, body)["activationId"]))

    async def advance_clock(
        self, *, seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> list[Activation]:
        """Move the emulator's clock forward; the activations of the scheduled triggers that
        came due on the way, once they have ended (every due time fires once)."""
        span = seconds_of(seconds=seconds, minutes=minutes, hours=hours, days=days)
        ids = await self._emulator.advance_clock(span, timeout=600)
        return [await self.activation(i) for i in ids]

    def _kept(self, activation: Activation) -> Activation:
        self._remember(activation)
        return activation

    async def _send(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        headers = dict(call.headers)
        if call.authorized:
            headers.setdefault("Authorization", f"Basic {self._token}")
        async with self._session.request(
            call.method,
            self.url + call.path,
            data=call.body,
            headers=headers,
            allow_redirects=False,
            timeout=_HTTP_TIMEOUT,
        ) as response:
            return response.status, dict(response.headers.items()), await response.read()

    def __repr__(self) -> str:
        return f"AsyncFunctionsEmulator(url={self.url!r}, namespace={self.namespace!r})"
