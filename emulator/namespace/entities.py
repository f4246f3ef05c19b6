"""The platform's nouns as immutable values: functions, packages, OpenWhisk triggers and rules,
DigitalOcean's scheduled triggers, activations, and a failed build."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

JSON = Any
"""A value that survives `json.dumps`: dict, list, str, int, float, bool or None."""

# DigitalOcean's limits (docs: details/limits); OpenWhisk's names and units (ms, MB, MB).
DEFAULT_TIMEOUT_MS = 3_000
MIN_TIMEOUT_MS = 100
MAX_TIMEOUT_MS = 900_000
DEFAULT_MEMORY_MB = 256
MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 1024
DEFAULT_LOGS_MB = 16
MAX_LOGS_MB = 16
# DigitalOcean keeps at most 256 KB of logs per invocation, whatever `limits.logs` says.
MAX_LOG_BYTES = 256 * 1024
MAX_PAYLOAD_BYTES = 1024 * 1024
# A function's code (`exec.code`, base64 for an archive).
MAX_EXEC_BYTES = 48 * 1024 * 1024
# A function's entry point when its exec names none.
DEFAULT_MAIN = "main"
# Every entity's version when it is first deployed; each update adds one to the patch level.
FIRST_VERSION = "0.0.1"


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: int = DEFAULT_TIMEOUT_MS
    memory: int = DEFAULT_MEMORY_MB
    logs: int = DEFAULT_LOGS_MB
    concurrency: int = 1

    @property
    def log_bytes(self) -> int:
        """How many bytes of logs one activation keeps before truncating."""
        return min(self.logs * 1024 * 1024, MAX_LOG_BYTES)

    def as_json(self) -> dict[str, int]:
        return {
            "timeout": self.timeout,
            "memory": self.memory,
            "logs": self.logs,
            "concurrency": self.concurrency,
        }


@dataclass(frozen=True, slots=True)
class Parameter:
    """A bound parameter; `init` ones are environment variables (project.yml `environment`)."""

    key: str
    value: JSON
    init: bool = False


def parameters_from(
    values: Mapping[str, JSON] | None = None, environment: Mapping[str, str] | None = None
) -> tuple[Parameter, ...]:
    """project.yml's `parameters` and `environment` as OpenWhisk parameters."""
    return tuple(Parameter(k, v) for k, v in (values or {}).items()) + tuple(
        Parameter(k, v, init=True) for k, v in (environment or {}).items()
    )


@dataclass(frozen=True, slots=True)
class Annotations:
    """An ordered, immutable key → value list, as OpenWhisk keeps annotations."""

    items: tuple[tuple[str, JSON], ...] = ()

    @classmethod
    def of(cls, pairs: Mapping[str, JSON] | Iterable[tuple[str, JSON]]) -> Annotations:
        pairs = pairs.items() if isinstance(pairs, Mapping) else pairs
        merged: dict[str, JSON] = {}
        for key, value in pairs:
            merged[key] = value
        return cls(tuple(merged.items()))

    def get(self, key: str, default: JSON = None) -> JSON:
        for k, v in self.items:
            if k == key:
                return v
        return default

    def merged(self, other: Mapping[str, JSON] | Iterable[tuple[str, JSON]]) -> Annotations:
        """These annotations with `other`'s keys added or replacing."""
        more = other.items() if isinstance(other, Mapping) else other
        return Annotations.of([*self.items, *more])

    def as_json(self) -> list[dict[str, JSON]]:
        return [{"key": k, "value": v} for k, v in self.items]


@dataclass(frozen=True, slots=True)
class Exec:
    """What runs: the kind (always concrete, never `:default`), entry point and code on disk."""

    kind: str
    main: str
    # A single source file, or the directory of a directory (zip-style) function.
    source: Path
    binary: bool = False
    # The function's own directory in the project, when `source` is a staged selection of it
    # (an `.include` or `.ignore` chose its files): where its build script and lists are.
    origin: Path | None = None


@dataclass(frozen=True, slots=True)
class Package:
    namespace: str
    name: str
    parameters: tuple[Parameter, ...] = ()
    annotations: Annotations = field(default_factory=Annotations)
    publish: bool = False
    version: str = FIRST_VERSION
    updated: int = 0


@dataclass(frozen=True, slots=True)
class Action:
    namespace: str
    package: str | None  # None: the `default` package
    name: str
    exec: Exec
    parameters: tuple[Parameter, ...] = ()
    annotations: Annotations = field(default_factory=Annotations)
    limits: Limits = field(default_factory=Limits)
    version: str = FIRST_VERSION
    publish: bool = False
    updated: int = 0

    @property
    def path(self) -> str:
        """`pkg/name`, or `name` in the default package: how clients name it after the namespace."""
        return f"{self.package}/{self.name}" if self.package else self.name

    @property
    def qualified_name(self) -> str:
        """`/ns/pkg/name`: `__OW_ACTION_NAME` and `context.function_name`."""
        return f"/{self.namespace}/{self.path}"

    @property
    def entity_namespace(self) -> str:
        """The entity's `namespace` field: the package path is part of it."""
        return f"{self.namespace}/{self.package}" if self.package else self.namespace

    @property
    def is_final(self) -> bool:
        return self.annotations.get("final") is True


@dataclass(frozen=True, slots=True)
class ApiDeployment:
    """Everything deployed through the API into one namespace, oldest first."""

    packages: tuple[Package, ...]
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class BuildFailure:
    """Why a function's build failed: what a call of it answers, and the start banner's hint."""

    message: str  # the deployer's words, with the lines of the output that matter
    hint: str  # one line: the cause, and what to do about it


@dataclass(frozen=True, slots=True)
class ScheduledTrigger:
    """DigitalOcean's scheduled trigger, declared in project.yml: a cron that invokes a function."""

    name: str
    function: str  # `pkg/fn` as it appears in the project
    cron: str
    body: Mapping[str, JSON] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ScheduledTriggerState:
    """A scheduled trigger, and its runs: epoch milliseconds, or None (never, or not scheduled)."""

    trigger: ScheduledTrigger
    created_ms: int
    updated_ms: int
    last_run_ms: int | None = None
    next_run_ms: int | None = None


# A rule's status: an active rule invokes its function when its trigger fires.
ACTIVE = "active"
INACTIVE = "inactive"


@dataclass(frozen=True, slots=True)
class OpenWhiskTrigger:
    """OpenWhisk's trigger entity (`/triggers`): fired by a client, it invokes its rules."""

    namespace: str
    name: str
    parameters: tuple[Parameter, ...] = ()
    annotations: Annotations = field(default_factory=Annotations)
    version: str = FIRST_VERSION
    publish: bool = False
    updated: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    """OpenWhisk's rule entity (`/rules`): connects a trigger to a function."""

    namespace: str
    name: str
    trigger: str  # the trigger's name
    action: str  # the function's `pkg/name` or `name`
    status: str = ACTIVE
    annotations: Annotations = field(default_factory=Annotations)
    version: str = FIRST_VERSION
    publish: bool = False
    updated: int = 0


class StatusCode(IntEnum):
    SUCCESS = 0
    APPLICATION_ERROR = 1
    DEVELOPER_ERROR = 2
    INTERNAL_ERROR = 3

    @property
    def status(self) -> str:
        return _STATUS_TEXT[self]


_STATUS_TEXT = {
    StatusCode.SUCCESS: "success",
    StatusCode.APPLICATION_ERROR: "application error",
    StatusCode.DEVELOPER_ERROR: "action developer error",
    StatusCode.INTERNAL_ERROR: "whisk internal error",
}


@dataclass(frozen=True, slots=True)
class ActivationResponse:
    status_code: StatusCode
    result: JSON
    size: int | None = None

    @property
    def success(self) -> bool:
        return self.status_code is StatusCode.SUCCESS

    @classmethod
    def error(cls, status_code: StatusCode, message: JSON) -> ActivationResponse:
        return cls(status_code, {"error": message})


@dataclass(frozen=True, slots=True)
class Activation:
    """A finished activation, as stored and as `GET .../activations/{id}` returns it."""

    activation_id: str
    namespace: str
    name: str
    package: str | None
    version: str
    subject: str
    start: int
    end: int
    response: ActivationResponse
    logs: tuple[str, ...] = ()
    annotations: Annotations = field(default_factory=Annotations)
    cause: str | None = None

    @property
    def path(self) -> str:
        return f"{self.package}/{self.name}" if self.package else self.name

    @property
    def duration(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class PendingActivation:
    """An activation that has started and has no record yet.

    The store keeps these apart from records, so that a record never exists before the
    activation ends, and an emulator killed mid-run can record them as failed on restart.
    """

    activation_id: str
    namespace: str
    name: str
    package: str | None
    version: str
    subject: str
    start: int
    annotations: Annotations = field(default_factory=Annotations)
    cause: str | None = None

    def finished(
        self, end: int, response: ActivationResponse, logs: tuple[str, ...] = ()
    ) -> Activation:
        return Activation(
            activation_id=self.activation_id,
            namespace=self.namespace,
            name=self.name,
            package=self.package,
            version=self.version,
            subject=self.subject,
            start=self.start,
            end=end,
            response=response,
            logs=logs,
            annotations=self.annotations,
            cause=self.cause,
        )
