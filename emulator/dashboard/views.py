"""What the dashboard's pages show, as JSON: functions, activation rows and records, triggers."""

from __future__ import annotations

from collections.abc import Sequence

from emulator.namespace.documents import activation_to_json, rfc3339
from emulator.namespace.entities import JSON, Action, Activation, ScheduledTriggerState
from emulator.namespace.recordings import StoredRequest
from emulator.web_functions.address import is_web_function, web_url

# The status filter's choices, as the records spell them.
STATUSES = ("success", "application error", "action developer error", "whisk internal error")


def activation_row(activation: Activation) -> dict[str, JSON]:
    """One line of the activations list."""
    trigger = activation.annotations.get("trigger")
    return {
        "activationId": activation.activation_id,
        "function": activation.path,
        "start": activation.start,
        "duration": activation.duration,
        "status": activation.response.status_code.status,
        "success": activation.response.success,
        # The platform annotates a cold start with its initialisation time.
        "cold": activation.annotations.get("initTime") is not None,
        "trigger": trigger if isinstance(trigger, str) else None,
    }


def activation_detail(activation: Activation, stored: StoredRequest | None) -> dict[str, JSON]:
    """The activation page: the row, its request, result, logs split by stream, annotations."""
    return {
        **activation_row(activation),
        "end": activation.end,
        **request_view(stored),
        "result": activation.response.result,
        "logs": [log_entry(line) for line in activation.logs],
        "annotations": activation.annotations.as_json(),
        "record": activation_to_json(activation),
    }


def request_view(stored: StoredRequest | None) -> dict[str, JSON]:
    """What the page shows of the request: the parameters, or the web call's HTTP request;
    `parametersKnown` false when none was kept, `parametersCut` when only its beginning was."""
    if stored is None:
        return {"parametersKnown": False, "parameters": None, "web": None}
    if stored.request is None:
        return {
            "parametersKnown": True,
            "parametersCut": {"size": stored.size, "prefix": stored.prefix[:4096]},
            "parameters": None,
            "web": None,
        }
    web = stored.request.web
    if web is None:
        return {"parametersKnown": True, "parameters": dict(stored.request.params), "web": None}
    return {
        "parametersKnown": True,
        "parameters": None,
        "web": {
            "method": web.method,
            "url": f"{web.function}{web.path}" + (f"?{web.query}" if web.query else ""),
            "headers": [[k, v] for k, v in web.headers],
            "body": web.body.decode("utf-8", errors="replace"),
        },
    }


def log_entry(line: str) -> dict[str, JSON]:
    """`<time> stdout: text` → its parts; a line of another shape is kept whole."""
    time, _, rest = line.partition(" ")
    stream, sep, text = rest.partition(": ")
    if not sep or stream not in ("stdout", "stderr"):
        return {"time": None, "stream": None, "text": line}
    return {"time": time, "stream": stream, "text": text}


def function_view(
    action: Action,
    *,
    api_host: str,
    warm: int,
    recent: Sequence[Activation],
    problem: str | None,
) -> dict[str, JSON]:
    """A line of the functions page; `recent` is newest first."""
    last = recent[0] if recent else None
    return {
        "path": action.path,
        "kind": action.exec.kind,
        "webUrl": web_url(api_host, action) if is_web_function(action) else None,
        "limits": dict(action.limits.as_json()),
        "warm": warm,
        "lastStatus": last.response.status_code.status if last else None,
        "lastActivationId": last.activation_id if last else None,
        # Oldest first, for the chart.
        "durations": [
            {"ms": a.duration, "success": a.response.success, "activationId": a.activation_id}
            for a in reversed(recent)
        ],
        "problem": problem,
    }


def trigger_view(state: ScheduledTriggerState, *, firing: bool) -> dict[str, JSON]:
    trigger = state.trigger
    return {
        "name": trigger.name,
        "function": trigger.function,
        "cron": trigger.cron,
        "enabled": trigger.enabled,
        "firing": firing,
        "nextRun": rfc3339(state.next_run_ms),
        "lastRun": rfc3339(state.last_run_ms),
        "body": dict(trigger.body),
    }
