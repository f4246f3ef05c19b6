"""What a test asserts on: activations, web responses, and the errors of calls that failed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# How many of an activation's last log lines its repr shows (a failed assertion's message).
_LOG_LINES_SHOWN = 20
_RESULT_CHARS_SHOWN = 300


class FunctionsEmulatorError(Exception):
    """The emulator refused a call (unknown function, bad parameters...): its status and the
    platform's message."""

    def __init__(self, status: int, error: str) -> None:
        self.status = status
        self.error = error
        super().__init__(f"{status}: {error}")


class ActivationFailed(AssertionError):
    """`Activation.raise_for_status()` on an activation that did not succeed."""


@dataclass(frozen=True, slots=True)
class Activation:
    """One finished activation, as its record has it.

    `status` is the platform's: "success", "application error", "developer error" or
    "whisk internal error". `cold` is true when the activation started its process (the
    record's `initTime`). `record` is the whole record, as the REST API returns it."""

    id: str
    name: str  # `pkg/fn`, or `fn` in the default package
    result: Any
    success: bool
    status: str
    logs: list[str]
    duration: int  # milliseconds
    cold: bool
    annotations: Mapping[str, Any] = field(default_factory=dict)
    record: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Activation:
        response = record.get("response") or {}
        annotations = {a["key"]: a["value"] for a in record.get("annotations") or []}
        # The `path` annotation is `namespace/[pkg/]fn`; the record's `namespace` holds the
        # package only in some of the platform's shapes.
        _, _, name = str(annotations.get("path", "")).partition("/")
        return cls(
            id=record["activationId"],
            name=name or str(record.get("name", "")),
            result=response.get("result"),
            success=bool(response.get("success")),
            # Records spell it "action developer error", as OpenWhisk does.
            status=str(response.get("status", "")).removeprefix("action "),
            logs=list(record.get("logs") or []),
            duration=int(record.get("duration") or 0),
            cold="initTime" in annotations,
            annotations=annotations,
            record=record,
        )

    def raise_for_status(self) -> Activation:
        """This activation when it succeeded; otherwise ActivationFailed, with its logs."""
        if not self.success:
            raise ActivationFailed(self.describe())
        return self

    def describe(self) -> str:
        """Several lines: the function, status and result, then the last log lines."""
        lines = [
            f"activation {self.id} of {self.name}: {self.status}",
            f"result: {json.dumps(self.result, default=str)[:2000]}",
        ]
        return "\n".join(lines + self.log_lines())

    def log_lines(self) -> list[str]:
        """The logs as a failed assertion shows them: the last lines, indented."""
        if not self.logs:
            return ["logs: (none)"]
        shown = self.logs[-_LOG_LINES_SHOWN:]
        skipped = len(self.logs) - len(shown)
        head = f"logs (last {len(shown)} of {len(self.logs)}):" if skipped else "logs:"
        return [head, *(f"  {line}" for line in shown)]

    def __repr__(self) -> str:
        # pytest prints this in "where ... = Activation(...).result": the logs go with it.
        logs = self.logs[-_LOG_LINES_SHOWN:]
        return (
            f"Activation(id={self.id!r}, name={self.name!r}, status={self.status!r}, "
            f"result={_brief(self.result)}, logs={logs!r})"
        )


@dataclass(frozen=True, slots=True)
class WebResponse:
    """A web function's HTTP answer."""

    status: int
    headers: Mapping[str, str]  # names as sent; look them up case-insensitively with header()
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    @property
    def activation_id(self) -> str | None:
        """The activation that answered (`x-openwhisk-activation-id`)."""
        return self.header("x-openwhisk-activation-id")


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _RESULT_CHARS_SHOWN else text[: _RESULT_CHARS_SHOWN - 3] + "..."
