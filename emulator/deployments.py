"""Deploying through the API: the platform's rules for PUT and DELETE of functions and
packages, applied to the registry and kept in the entity store across restarts."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.clock import Clock
from emulator.deployed_code import is_binary_code, write_code
from emulator.entities import (
    JSON,
    MAX_LOGS_MB,
    MAX_MEMORY_MB,
    MAX_PAYLOAD_BYTES,
    MAX_TIMEOUT_MS,
    MIN_MEMORY_MB,
    MIN_TIMEOUT_MS,
    Action,
    Annotations,
    Exec,
    Limits,
    Package,
    Parameter,
)
from emulator.errors import (
    BadRequest,
    Conflict,
    ExecUndefined,
    IllegalName,
    MalformedContent,
    NameTooLong,
    NotFound,
    PackageNotEmpty,
    PayloadTooLarge,
    ReservedPackageName,
    WrongCollection,
)
from emulator.invoker.pool import WarmPool
from emulator.registry import Registry
from emulator.runtimes import KINDS, UnknownKind, resolve_kind
from emulator.store.entities import EntityStore, Stored

logger = logging.getLogger(__name__)

DEFAULT_MAIN = "main"
FIRST_VERSION = "0.0.1"
MAX_NAME_LENGTH = 256
MAX_EXEC_BYTES = 48 * 1024 * 1024
DEFAULT_PACKAGE = "default"
_NAME = re.compile(r"\A(?:\w|\w[\w@ .&-]{0,254}[\w@.&-])\Z")
_VERSION = re.compile(r"\A(\d+)\.(\d+)\.(\d+)\Z")


def check_name(path: str) -> None:
    """Each segment of `name` or `pkg/name` against the platform's entity name rule."""
    for segment in path.split("/"):
        if len(segment) > MAX_NAME_LENGTH:
            raise NameTooLong(len(segment), MAX_NAME_LENGTH)
        if not _NAME.match(segment):
            raise IllegalName()


def next_version(version: str) -> str:
    """One patch level up: 0.0.1 → 0.0.2."""
    match = _VERSION.match(version)
    if match is None:
        return version
    major, minor, patch = (int(part) for part in match.groups())
    return f"{major}.{minor}.{patch + 1}"


@dataclass(frozen=True, slots=True)
class _ExecSpec:
    kind: str
    code: str
    main: str
    binary: bool


class Deployments:
    """PUT and DELETE of functions and packages: the registry serves them at once, the
    store keeps them for the next start."""

    def __init__(
        self,
        *,
        registry: Registry,
        store: EntityStore,
        pool: WarmPool,
        code_dir: Path,
        clock: Clock,
    ) -> None:
        self._registry = registry
        self._store = store
        self._pool = pool
        self._code_dir = code_dir
        self._clock = clock

    async def restore(self) -> int:
        """Put back what was deployed through the API, over the project's; returns how many
        functions."""
        stored = await self.stored()
        for action in self.overlay(stored):
            logger.warning(
                "deployed function %s lost its code at %s", action.path, action.exec.source
            )
        return len(stored.actions)

    async def stored(self) -> Stored:
        """What was deployed through the API, as the entity store keeps it."""
        return await self._store.load(self._registry.namespace)

    def overlay(self, stored: Stored) -> list[Action]:
        """Lay `stored` over the registry's project deployment, in one step (a reload swaps
        the project and must keep these on top); returns the functions whose code is gone."""
        for package in stored.packages:
            self._registry.put_package(package)
        lost = [action for action in stored.actions if not action.exec.source.exists()]
        for action in stored.actions:
            if action not in lost:
                self._registry.put_action(action)
        return lost

    async def put_action(self, path: str, body: Mapping[str, Any], *, overwrite: bool) -> Action:
        """Create the function at `path`, or update it with `overwrite` (§5.2)."""
        check_name(path)
        spec = _exec_spec(body.get("exec"))
        parameters = _parameters(body.get("parameters"))
        annotations = _annotations(body.get("annotations"))
        removed = _keys(body.get("delAnnotations"))
        limits = _limits(body.get("limits"))
        _check_sizes(spec, body)
        package, _, name = path.rpartition("/")
        if package and self._registry.package(package) is None:
            raise NotFound()
        old = self._existing_action(path)
        if old is not None and not overwrite:
            raise Conflict()
        if old is None and spec is None:
            raise ExecUndefined()
        exec_ = await self._exec(spec) if spec else old.exec if old else None
        assert exec_ is not None
        version = body.get("version")
        if old is None:
            merged_annotations = Annotations.of(annotations or ())
            action = Action(
                namespace=self._registry.namespace,
                package=package or None,
                name=name,
                exec=exec_,
                parameters=parameters or (),
                limits=dataclasses.replace(Limits(), **limits),
                version=str(version) if version else FIRST_VERSION,
                publish=bool(body.get("publish", False)),
                updated=self._clock.now_ms(),
            )
        else:
            kept = [(k, v) for k, v in old.annotations.items if k not in removed]
            merged_annotations = Annotations.of(kept).merged(annotations or ())
            action = dataclasses.replace(
                old,
                exec=exec_,
                parameters=old.parameters if parameters is None else parameters,
                limits=dataclasses.replace(old.limits, **limits),
                version=str(version) if version else next_version(old.version),
                publish=bool(body.get("publish", old.publish)),
                updated=self._clock.now_ms(),
            )
        action = dataclasses.replace(action, annotations=_amended(merged_annotations, exec_.kind))
        self._registry.put_action(action)
        await self._store.save_action(action)
        await self._retire(action)
        return action

    async def delete_action(self, path: str) -> Action:
        check_name(path)
        action = self._registry.remove_action(path)
        await self._store.forget_action(action.namespace, path)
        await self._retire(action)
        return action

    async def put_package(self, name: str, body: Mapping[str, Any], *, overwrite: bool) -> Package:
        """Create the package `name`, or update it with `overwrite` (§8.2)."""
        check_name(name)
        if name == DEFAULT_PACKAGE:
            raise ReservedPackageName()
        parameters = _parameters(body.get("parameters"))
        annotations = _annotations(body.get("annotations"))
        _check_json_size("parameters", body.get("parameters"))
        _check_json_size("annotations", body.get("annotations"))
        if self._registry.find_action(name) is not None:
            raise WrongCollection()
        old = self._registry.package(name)
        if old is not None and not overwrite:
            raise Conflict()
        version = body.get("version")
        publish = body.get("publish")
        base = old or Package(namespace=self._registry.namespace, name=name)
        package = dataclasses.replace(
            base,
            # On update these replace the old values when present; they are not merged.
            parameters=base.parameters if parameters is None else parameters,
            annotations=base.annotations if annotations is None else Annotations.of(annotations),
            publish=base.publish if publish is None else bool(publish),
            version=str(version)
            if version
            else next_version(old.version)
            if old
            else FIRST_VERSION,
            updated=self._clock.now_ms(),
        )
        self._registry.put_package(package)
        await self._store.save_package(package)
        return package

    async def delete_package(self, name: str, *, force: bool) -> Package:
        check_name(name)
        if self._registry.package(name) is None:
            raise NotFound()
        contents = self._registry.actions(name)
        if contents and not force:
            raise PackageNotEmpty(len(contents))
        for action in contents:
            await self.delete_action(action.path)
        package = self._registry.remove_package(name)
        await self._store.forget_package(package.namespace, name)
        return package

    def _existing_action(self, path: str) -> Action | None:
        """The function at `path`; 409 when the name is a package's."""
        action = self._registry.find_action(path)
        if action is None and self._registry.package(path) is not None:
            raise WrongCollection()
        return action

    async def _exec(self, spec: _ExecSpec) -> Exec:
        family = spec.kind.partition(":")[0]
        source = await asyncio.to_thread(
            write_code, self._code_dir, family, spec.code, binary=spec.binary
        )
        return Exec(spec.kind, spec.main, source, spec.binary)

    async def _retire(self, action: Action) -> None:
        # Idle processes of the function's earlier code never serve it again.
        await self._pool.retire(lambda key: key[0] == action.qualified_name)


def _amended(annotations: Annotations, kind: str) -> Annotations:
    """What the controller adds: `exec` always, `provide-api-key: false` when absent."""
    amended = annotations.merged({"exec": kind})
    if all(key != "provide-api-key" for key, _ in amended.items):
        amended = amended.merged({"provide-api-key": False})
    return amended


def _exec_spec(doc: Any) -> _ExecSpec | None:
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise MalformedContent("exec malformed")
    kind_name = doc.get("kind")
    if not isinstance(kind_name, str):
        raise MalformedContent("'kind' must be a string defined in 'exec'")
    try:
        kind = resolve_kind(kind_name).name
    except UnknownKind:
        valid = ", ".join(f"'{k}'" for k in KINDS)
        raise MalformedContent(
            f"The specified runtime '{kind_name}' is not supported by this platform. "
            f"Valid values are: {valid}."
        ) from None
    code = doc.get("code")
    if not isinstance(code, str):
        raise MalformedContent(f"'code' must be a string defined in 'exec' for '{kind}' actions")
    main = doc.get("main")
    return _ExecSpec(
        kind, code, main if isinstance(main, str) and main else DEFAULT_MAIN, is_binary_code(code)
    )


def _parameters(docs: Any) -> tuple[Parameter, ...] | None:
    if docs is None:
        return None
    if not isinstance(docs, list) or not all(
        isinstance(d, dict) and isinstance(d.get("key"), str) for d in docs
    ):
        raise MalformedContent("parameters malformed!")
    return tuple(Parameter(d["key"], d.get("value"), d.get("init") is True) for d in docs)


def _annotations(docs: Any) -> list[tuple[str, JSON]] | None:
    if docs is None:
        return None
    if not isinstance(docs, list) or not all(
        isinstance(d, dict) and isinstance(d.get("key"), str) for d in docs
    ):
        raise MalformedContent("annotations malformed!")
    return [(d["key"], d.get("value")) for d in docs]


def _keys(docs: Any) -> set[str]:
    if docs is None:
        return set()
    if not isinstance(docs, list) or not all(isinstance(d, str) for d in docs):
        raise MalformedContent("delAnnotations malformed!")
    return set(docs)


# field → (minimum, maximum, how the platform names the value and its unit)
_LIMIT_RANGES = {
    "timeout": (MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, "duration {} milliseconds", " milliseconds"),
    "memory": (MIN_MEMORY_MB, MAX_MEMORY_MB, "memory size {} MB", " MB"),
    "logs": (0, MAX_LOGS_MB, "log size {} MB", " MB"),
    "concurrency": (1, 1, "concurrency {}", ""),
}


def _limits(doc: Any) -> dict[str, int]:
    """The limits the body sets, each within DigitalOcean's range."""
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise MalformedContent("limits malformed!")
    limits: dict[str, int] = {}
    for field, value in doc.items():
        if field not in _LIMIT_RANGES:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MalformedContent(f"{field} limit malformed!")
        low, high, what, unit = _LIMIT_RANGES[field]
        number = int(value)
        subject = what.format(number)
        if number < low:
            raise BadRequest(f"{subject} below allowed threshold of {low}{unit}")
        if number > high:
            raise BadRequest(f"{subject} exceeds allowed threshold of {high}{unit}")
        limits[field] = number
    return limits


def _check_sizes(spec: _ExecSpec | None, body: Mapping[str, Any]) -> None:
    if spec is not None:
        size = len(spec.code.encode())
        if size > MAX_EXEC_BYTES:
            raise PayloadTooLarge("exec", size, MAX_EXEC_BYTES)
    _check_json_size("parameters", body.get("parameters"))
    _check_json_size("annotations", body.get("annotations"))


def _check_json_size(what: str, doc: Any) -> None:
    if doc is None:
        return
    size = len(json.dumps(doc, separators=(",", ":")).encode())
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(what, size, MAX_PAYLOAD_BYTES)
