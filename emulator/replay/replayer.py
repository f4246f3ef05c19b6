"""Replayer: an activation's recorded request as a document, and the same call made again."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from emulator.namespace.documents import activation_to_json
from emulator.namespace.entities import JSON, Action, Activation
from emulator.namespace.errors import ActivationNotFound, Conflict, EmulatorError
from emulator.namespace.recordings import Code, RecordedRequest, StoredRequest, WebCall
from emulator.services import Services
from emulator.web_functions import access
from emulator.web_functions.address import split_extension
from emulator.web_functions.event import WebRequest, platform_headers, web_event
from emulator.web_functions.response import web_reply

# Marks the record of a web call, as the web route does.
_WEB_ANNOTATIONS = {"web": True}


class NotReplayable(Conflict):
    """The activation cannot be made again as asked: nothing kept, or not its code."""

    default_message: ClassVar[str] = "This activation cannot be replayed."


@dataclass(frozen=True, slots=True)
class Replay:
    original: Activation
    activation_id: str
    code: Code
    replay: Activation | None  # None: still running after the blocking wait


class Replayer:
    """Over the emulator's services: reads records and their requests, invokes again."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def recorded(self, activation_id: str) -> tuple[Activation, StoredRequest]:
        """The activation and what it was invoked with."""
        store = self._services.store
        activation = await store.get(activation_id)
        if activation is None or activation.namespace != self._services.registry.namespace:
            raise ActivationNotFound()
        stored = await store.request(activation_id)
        if stored is None:
            raise NotReplayable(
                "The emulator kept no request for this activation (it was interrupted by a "
                "stop, or recorded by an emulator that kept none)."
            )
        return activation, stored

    async def document(self, activation_id: str) -> dict[str, JSON]:
        """What `to-test` and the dashboard read: the request and the recorded outcome."""
        activation, stored = await self.recorded(activation_id)
        return request_document(activation, stored)

    async def replay(self, activation_id: str, *, code: Code, request_id: str) -> Replay:
        """Invoke the activation's function again with its request; wait as a blocking call
        does for the new activation."""
        original, stored = await self.recorded(activation_id)
        if stored.request is None:
            raise NotReplayable(
                f"The request of this activation was {stored.size} bytes, more than the "
                "emulator keeps, so only its beginning is kept: it cannot be replayed."
            )
        request = stored.request
        services = self._services
        action = services.registry.action(original.path)
        copy = await self._code(action, request, code)
        params: dict[str, JSON] = dict(request.params)
        annotations = None
        check_final = True
        if request.web is not None:
            raw = access.raw_http(action)
            params = web_event(_web_request(request.web, request_id), raw=raw)
            annotations, check_final = _WEB_ANNOTATIONS, not raw
        invocation = await services.throttle.invocation(
            services.registry.namespace,
            lambda: services.invoker.invoke(
                action.path,
                params,
                request_id=request_id,
                check_final=check_final,
                annotations=annotations,
                blocking=True,
                request=RecordedRequest(params=request.params, web=request.web),
                code=copy,
            ),
        )
        finished = await invocation.wait(services.settings.answer_wait_for(action.path))
        return Replay(original, invocation.activation_id, code, finished)

    async def _code(self, action: Action, request: RecordedRequest, code: Code) -> Path | None:
        """None to run the current code; else where the recorded code's copy is."""
        if code == "current":
            return None
        versions = self._services.invoker.code_versions
        if request.code is None:
            raise NotReplayable("No code version was recorded for this activation.")
        if await versions.digest(action) == request.code:
            return None  # the code has not changed since
        copy = versions.snapshot(request.code, action.exec.source.name)
        if copy is None:
            raise NotReplayable(
                f"The code this activation ran (version {request.code}) is no longer kept: the "
                "emulator keeps copies of code up to 10 MB, in .emulator/code-history. Check "
                "that version out and replay with --code current."
            )
        return copy


def request_document(activation: Activation, stored: StoredRequest) -> dict[str, JSON]:
    """The activation's request and outcome as JSON (the local route's answer)."""
    request = stored.request
    doc: dict[str, JSON] = {
        "activationId": activation.activation_id,
        "function": activation.path,
        "start": activation.start,
        "kind": "web" if request is not None and request.web is not None else "invoke",
        "cut": stored.cut,
        "size": stored.size,
        "code": stored.code,
        "params": None,
        "web": None,
        "response": {
            "status": activation.response.status_code.status,
            "success": activation.response.success,
            "result": activation.response.result,
        },
        "record": activation_to_json(activation),
    }
    if request is None:
        doc["prefix"] = stored.prefix
        return doc
    if request.web is None:
        doc["params"] = dict(request.params)
        return doc
    doc["web"] = {
        **request.web.as_json(),
        "reply": _web_outcome(activation, request.web),
    }
    return doc


def _web_outcome(activation: Activation, call: WebCall) -> dict[str, JSON]:
    """The HTTP answer the web call got, rebuilt from its record as the web route builds it."""
    _, extension = split_extension(call.function.rpartition("/")[2])
    try:
        reply = web_reply(activation.response, extension)
    except EmulatorError as error:
        return {"status": error.status, "contentType": "application/json", "error": error.message}
    return {
        "status": reply.status,
        "contentType": reply.content_type,
        "body": base64.b64encode(reply.body).decode("ascii"),
    }


def _web_request(call: WebCall, request_id: str) -> WebRequest:
    return WebRequest(
        method=call.method,
        headers=platform_headers(
            call.headers, client="127.0.0.1", scheme="http", request_id=request_id
        ),
        path=call.path,
        query=call.query,
        body=call.body,
        user=call.user,
    )
