"""What the emulator's answers mean to a test: the JSON it wanted, or the error it raises."""

from __future__ import annotations

import json
from typing import Any

from emulator.pytest_plugin.activation import FunctionsEmulatorError


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
