"""How the platform reads a function's reply: success, application or developer error."""

from __future__ import annotations

import json
from dataclasses import dataclass

from emulator.invoker import messages
from emulator.invoker.confinement import MAX_PROCESSES
from emulator.invoker.process import Outcome, Reply
from emulator.namespace import nesting
from emulator.namespace.entities import MAX_PAYLOAD_BYTES, ActivationResponse, StatusCode


@dataclass(frozen=True, slots=True)
class Verdict:
    response: ActivationResponse
    # Success and application errors keep the process warm; developer errors discard it.
    keep_warm: bool
    timed_out: bool = False


def _developer_error(message: str, *, timed_out: bool = False) -> Verdict:
    response = ActivationResponse.error(StatusCode.DEVELOPER_ERROR, message)
    return Verdict(response, keep_warm=False, timed_out=timed_out)


def _no_reply(reply: Reply, *, timed_out: str, exited: str) -> Verdict | None:
    """The failure when the process gave no reply line; None when it did reply."""
    if reply.outcome is Outcome.TIMED_OUT:
        return _developer_error(timed_out, timed_out=True)
    if reply.outcome is Outcome.OUT_OF_MEMORY:
        return _developer_error(messages.OUT_OF_MEMORY)
    if reply.outcome is Outcome.TOO_MANY_PROCESSES:
        return _developer_error(messages.too_many_processes(MAX_PROCESSES))
    if reply.outcome is Outcome.EXITED:
        return _developer_error(exited)
    return None


def judge_init(reply: Reply, *, timeout_ms: int) -> Verdict | None:
    """None when the function initialised; otherwise the activation's failure."""
    failed = _no_reply(
        reply, timed_out=messages.init_timed_out(timeout_ms), exited=messages.EXITED_DURING_INIT
    )
    if failed:
        return failed
    try:
        ack = json.loads(reply.raw)
    except ValueError:
        ack = None
    if isinstance(ack, dict) and ack.get("ok") is True:
        return None
    # Launchers refuse with the platform's own message (the cause is in the logs); any other
    # answer gets what the platform's proxy says of it.
    refusal = ack.get("error") if isinstance(ack, dict) else None
    return _developer_error(
        refusal if isinstance(refusal, str) and refusal else messages.INIT_FAILED
    )


def judge_run(reply: Reply, *, timeout_ms: int) -> Verdict:
    failed = _no_reply(
        reply, timed_out=messages.timed_out(timeout_ms), exited=messages.EXITED_DURING_RUN
    )
    if failed:
        return failed
    text = reply.raw.decode("utf-8", "replace")
    if reply.size > MAX_PAYLOAD_BYTES:
        message = messages.result_too_large(reply.size, MAX_PAYLOAD_BYTES, text)
        response = ActivationResponse.error(StatusCode.APPLICATION_ERROR, message)
        return Verdict(response, keep_warm=True)
    try:
        # Too deep to record is not valid either: the platform's developer error.
        result = nesting.loads(text)
    except ValueError:
        return _developer_error(messages.invalid_json(text))
    if not isinstance(result, dict):
        return _developer_error(messages.NOT_A_DICTIONARY)
    if "error" in result:
        response = ActivationResponse(
            StatusCode.APPLICATION_ERROR, {"error": result["error"]}, reply.size
        )
        return Verdict(response, keep_warm=True)
    return Verdict(ActivationResponse(StatusCode.SUCCESS, result, reply.size), keep_warm=True)


def missing_module(reply: Reply) -> str | None:
    """The module a function could not import, as its launcher's refusal names it."""
    try:
        refusal = json.loads(reply.raw) if reply.outcome is Outcome.REPLIED else None
    except ValueError:
        return None
    module = refusal.get("missing_module") if isinstance(refusal, dict) else None
    return module if isinstance(module, str) and module else None
