"""What a deploy leaves on the platform: the packages and actions the deployer PUTs, with the
annotations it and the OpenWhisk controller add (functions-deployer deploy.ts)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.namespace.entities import (
    DEFAULT_MAIN,
    MAX_PAYLOAD_BYTES,
    Action,
    Annotations,
    Exec,
    Limits,
    Package,
    Parameter,
    ScheduledTrigger,
    parameters_from,
)
from emulator.namespace.naming import DEFAULT_PACKAGE
from emulator.namespace.runtimes import resolve_kind
from emulator.project.code import (
    Code,
    Deferred,
    build_step,
    directory_code,
    file_code,
    source_runtime,
)
from emulator.project.jsvalues import stringify
from emulator.project.merge import FunctionSpec, PackageSpec
from emulator.project.project_error import ProjectError
from emulator.project.staging import Step, staging_dir
from emulator.project.trigger_clauses import triggers_from

NOT_IN_PROJECT = "Action is named in the config but does not exist in the project"
DEFAULT_PACKAGE_REFUSED = (
    "The default package does not support attaching environment, parameters, or binding"
)


@dataclass(frozen=True, slots=True)
class Deployed:
    packages: tuple[Package, ...]
    actions: tuple[Action, ...]
    triggers: tuple[ScheduledTrigger, ...]
    warnings: tuple[str, ...]
    staging: tuple[Step, ...]  # copies to make once everything is known to be valid
    deferred: tuple[Deferred, ...]  # directory functions whose files a build decides


@dataclass(slots=True)
class _Deployment:
    config: dict[str, Any]
    root: Path
    namespace: str
    now_ms: int
    lib_has_build: bool
    packages: list[Package] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    triggers: dict[str, ScheduledTrigger] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    staging: list[Step] = field(default_factory=list)
    deferred: list[Deferred] = field(default_factory=list)

    def add_package(self, spec: PackageSpec) -> None:
        if spec.name == DEFAULT_PACKAGE:
            if spec.functions:
                self._check_default_package(spec)
        else:
            self.packages.append(self._package(spec))
            binding = spec.config.get("binding")
            if binding:
                self.warnings.append(
                    f"Package '{spec.name}' is bound to '/{binding['namespace']}/"
                    f"{binding['name']}'; the emulator does not follow package bindings"
                )
        web = spec.config.get("web", True)
        for function in spec.functions:
            self._add_function(function, package_web=web)

    def _check_default_package(self, spec: PackageSpec) -> None:
        attached = [
            (f"{spec.key_path}.{key}", spec.config.get(key))
            for key in ("environment", "parameters", "annotations", "binding")
        ] + [(key, self.config.get(key)) for key in ("environment", "parameters")]
        for key_path, value in attached:
            if value:
                raise ProjectError(DEFAULT_PACKAGE_REFUSED, key_path=key_path)

    def _package(self, spec: PackageSpec) -> Package:
        config = spec.config
        parameters = {**(self.config.get("parameters") or {}), **(config.get("parameters") or {})}
        environment = {
            **(self.config.get("environment") or {}),
            **(config.get("environment") or {}),
        }
        return Package(
            namespace=self.namespace,
            name=spec.name,
            parameters=_bounded(parameters_from(parameters, environment), spec.key_path),
            annotations=Annotations.of(config.get("annotations") or {}),
            publish=bool(config.get("shared")),
            updated=self.now_ms,
        )

    def _add_function(self, spec: FunctionSpec, *, package_web: Any) -> None:
        path = spec.name if spec.package == DEFAULT_PACKAGE else f"{spec.package}/{spec.name}"
        config = spec.config
        if config.get("sequence"):
            _check_sequence(spec)
            self.warnings.append(f"Sequence '{path}' is not supported by the emulator; skipped")
            return
        if config.get("docker"):
            self.warnings.append(f"Function '{path}' runs a docker image; skipped")
            return
        code = self._code(spec, path)
        if not (config.get("runtime") or code.runtime):
            # The deployer fails this one action and deploys the rest (a `__pycache__` folder
            # left in a package by a local test run is the usual case).
            self.warnings.append(
                f"Error: While deploying action '{path}': Action '{path}' not deployed: "
                "runtime type could not be determined"
            )
            return
        self.actions.append(self._action(spec, code, path, package_web))
        self.staging += code.staging
        for index, trigger in enumerate(triggers_from(config.get("triggers") or [], path)):
            if trigger.name in self.triggers:
                message = f"the trigger name '{trigger.name}' is used more than once"
                raise ProjectError(message, key_path=f"{spec.key_path}.triggers[{index}]")
            self.triggers[trigger.name] = trigger

    def _code(self, spec: FunctionSpec, path: str) -> Code:
        staging = staging_dir(self.root, spec.package, spec.name)
        named = spec.config.get("file")
        source = self.root / named if named else spec.found.path if spec.found else None
        if source is None or not source.exists():
            key_path = f"{spec.key_path}.file" if named else spec.key_path
            raise ProjectError(NOT_IN_PROJECT, key_path=key_path)
        if not source.is_dir():
            return file_code(source, staging)
        step = build_step(self.root, source)
        if step is None and not self.lib_has_build:
            return directory_code(self.root, source, action_name=path, staging=staging)
        # Built first (its own build, or lib's that its .include may name), then selected:
        # until then the function is its directory, with the runtime its sources imply.
        configured = bool(spec.config.get("runtime"))
        self.deferred.append(Deferred(path, source, step, staging, configured))
        return Code(source, True, None if configured else source_runtime(self.root, source))

    def _action(self, spec: FunctionSpec, code: Code, path: str, package_web: Any) -> Action:
        config = spec.config
        runtime: str = config.get("runtime") or code.runtime or ""  # checked by the caller
        kind = resolve_kind(runtime).name
        return Action(
            namespace=self.namespace,
            package=None if spec.package == DEFAULT_PACKAGE else spec.package,
            name=spec.name,
            exec=Exec(
                kind, config.get("main") or DEFAULT_MAIN, code.source, code.binary, code.origin
            ),
            parameters=_bounded(
                parameters_from(config.get("parameters") or {}, config.get("environment") or {}),
                spec.key_path,
            ),
            annotations=_annotations(config, kind, package_web),
            limits=_limits(config.get("limits") or {}),
            updated=self.now_ms,
        )

    def deployed(self) -> Deployed:
        return Deployed(
            tuple(self.packages),
            tuple(self.actions),
            tuple(self.triggers.values()),
            tuple(self.warnings),
            tuple(self.staging),
            tuple(self.deferred),
        )


def deploy(
    config: dict[str, Any],
    packages: tuple[PackageSpec, ...],
    *,
    root: Path,
    namespace: str,
    now_ms: int,
    lib_has_build: bool = False,
) -> Deployed:
    """The platform's entities for the merged project; raise ProjectError if a deploy fails.

    With `lib_has_build`, every directory function waits for lib's build before its files are
    selected."""
    deployment = _Deployment(config, root, namespace, now_ms, lib_has_build)
    for package in packages:
        deployment.add_package(package)
    return deployment.deployed()


def _check_sequence(spec: FunctionSpec) -> None:
    if spec.found is not None:
        message = "An action cannot be a sequence and also exist in the project directory structure"
        raise ProjectError(message, key_path=spec.key_path)
    if any(spec.config.get(key) for key in ("runtime", "binary", "main")):
        message = (
            "An action cannot be a sequence and also have the runtime, binary, or main attributes"
        )
        raise ProjectError(message, key_path=spec.key_path)


def _annotations(config: dict[str, Any], kind: str, package_web: Any) -> Annotations:
    # A function without `web` takes its package's, and `true` when neither says.
    web = config.get("web", package_web)
    web_export, raw_http = (True, web == "raw") if web is True or web == "raw" else (False, False)
    secret = config.get("webSecure")
    by_deployer = {
        "final": True,
        "web-export": web_export,
        "raw-http": raw_http,
        "require-whisk-auth": secret if isinstance(secret, str) else False,
    }
    annotations = Annotations.of(config.get("annotations") or {}).merged(by_deployer)
    annotations = annotations.merged({"exec": kind})  # the controller's
    if all(key != "provide-api-key" for key, _ in annotations.items):
        annotations = annotations.merged({"provide-api-key": False})
    return annotations


def _limits(limits: dict[str, float]) -> Limits:
    return dataclasses.replace(Limits(), **{name: int(value) for name, value in limits.items()})


def _bounded(parameters: tuple[Parameter, ...], key_path: str | None) -> tuple[Parameter, ...]:
    """The platform refuses an entity whose parameters (environment included) pass 1 MB."""
    doc = [
        {"key": p.key, "value": p.value, **({"init": True} if p.init else {})} for p in parameters
    ]
    size = len(stringify(doc).encode())
    if size > MAX_PAYLOAD_BYTES:
        raise ProjectError(
            f"parameters larger than allowed: {size} > {MAX_PAYLOAD_BYTES} bytes.",
            key_path=key_path,
        )
    return parameters
