"""`build_project`: the local builds `doctl serverless deploy` runs (functions-deployer
finder-builder.ts), then the selection of the built functions' files and the staged copies.

lib/ is built first, once; then each directory function with a `build.sh` or `package.json`,
in place, as the deployer orders them (finder-builder.ts `buildAllActions`): the functions of
one package one after another, the packages side by side. A build runs again only when its
inputs changed since its last success. A build that exits 0 without the outputs its
`.include` names has failed too. A failed build breaks only its function: it stays listed,
invoking it answers the failure, and it is built again at the next start or file change.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from emulator.namespace.entities import Action, Exec
from emulator.namespace.runtimes import resolve_kind
from emulator.project.build_cache import BuildCache, input_digest
from emulator.project.build_steps import command_for, run_step
from emulator.project.code import LIB_DIR, Deferred, directory_code
from emulator.project.loader import Project
from emulator.project.project_error import ProjectError
from emulator.project.staging import Step, stage

logger = logging.getLogger(__name__)

REQUIREMENTS_RECIPE = (
    "add a build.sh that runs "
    "'virtualenv virtualenv && virtualenv/bin/pip install -r requirements.txt' "
    "(see https://docs.digitalocean.com/products/functions/reference/build-process/)"
)


async def build_project(project: Project, *, environ: Mapping[str, str]) -> Project:
    """`project` built and staged, ready to serve; `build_failures` names what did not build.

    Builds run with `environ` (they need PATH, npm…). A project already built is returned
    as it is."""
    if project.built:
        return project
    return await finish_build(project, await run_builds(project, environ=environ))


async def run_builds(project: Project, *, environ: Mapping[str, str]) -> dict[str, str]:
    """Every build of `project`, nothing staged yet: `pkg/fn` → why it could not be built."""
    return await _Builder(project, environ).build_all()


async def finish_build(project: Project, failures: dict[str, str]) -> Project:
    """`project` once `run_builds` is over: its built functions' files selected and every
    function's staged."""
    actions, staging = await asyncio.to_thread(_select, project, failures)
    # Only now, with every build done, replace the staged copies.
    await asyncio.to_thread(stage, project.root, [*project.staging, *staging])
    built = dataclasses.replace(
        project,
        actions=actions,
        deferred=(),
        staging=(),
        build_failures=failures,
        built=True,
    )
    _warn_uninstalled_requirements(built, {d.path for d in project.deferred if d.step})
    return built


async def while_building(project: Project) -> Project:
    """What of `project` can serve while its builds run: the functions with no build nor
    selection of files staged; each of the others (`project.deferred`) is served as its
    directory until `finish_build`, and its calls wait for that."""
    await asyncio.to_thread(stage, project.root, project.staging)
    return project


class _Builder:
    def __init__(self, project: Project, environ: Mapping[str, str]) -> None:
        self._root = project.root
        self._project = project
        self._environ = environ
        self._cache = BuildCache(project.root)
        self._lib_digest = ""

    async def build_all(self) -> dict[str, str]:
        """Every build; `pkg/fn` → the failure of each function that could not be built."""
        deferred = self._project.deferred
        step = self._project.lib_step
        lib = self._root / LIB_DIR
        # As the deployer: lib is built only for a project with a directory function.
        if step and deferred:
            failure, self._lib_digest = await self._build(LIB_DIR, lib, step)
            if failure is not None:
                return {d.path: failure for d in deferred}
        elif lib.is_dir() and any(d.step for d in deferred):
            self._lib_digest = await asyncio.to_thread(input_digest, self._root, lib, salt="")
        outcomes = await asyncio.gather(
            *(self._build_package(group) for group in packages_in_build_order(deferred))
        )
        return {path: failure for done in outcomes for path, failure in done}

    async def _build_package(self, functions: Sequence[Deferred]) -> list[tuple[str, str]]:
        """One package's builds, one after another (two builds of one package may share a
        file, a yarn cache, a lockfile): the failures."""
        failures: list[tuple[str, str]] = []
        for function in functions:
            assert function.step is not None
            try:
                # A function's build may read lib: a changed lib builds it again.
                failure, _ = await self._build(
                    function.path,
                    function.directory,
                    function.step,
                    lib=self._lib_digest,
                    output=function,
                )
            except OSError as error:  # e.g. an unreadable source: this function only
                failure = str(error)
            if failure is not None:
                failures.append((function.path, failure))
        return failures

    async def _build(
        self,
        label: str,
        directory: Path,
        step: str,
        *,
        lib: str = "",
        output: Deferred | None = None,
    ) -> tuple[str | None, str]:
        """Run the build unless its inputs are those of its last success: the failure, if
        any, and the digest of the directory as the build left it. With `output`, a build
        that leaves out what the function's `.include` names has failed."""
        key = directory.relative_to(self._root).as_posix()
        salt = f"{command_for(step, directory).line}\0{lib}"
        digest = await asyncio.to_thread(input_digest, self._root, directory, salt=salt)
        if self._cache.is_current(key, digest):
            logger.info("%s: sources unchanged since the last build; not rebuilt", label)
            return None, digest
        if self._cache.failed(key):
            logger.warning("%s: the last build failed; building it again", label)
        self._cache.forget(key)
        failure = await run_step(step, directory, label=label, environ=self._environ)
        if failure is None and output is not None:
            failure = await asyncio.to_thread(self._missing_output, output)
        if failure is not None:
            self._cache.record_failure(key)
            return failure, digest
        built = await asyncio.to_thread(input_digest, self._root, directory, salt=salt)
        self._cache.record(key, built)
        return None, built

    def _missing_output(self, function: Deferred) -> str | None:
        """Why the files the deployer would package are not there after a build that
        succeeded (an `.include`d `dist/` it did not make), or None."""
        try:
            directory_code(
                self._root,
                function.directory,
                action_name=function.path,
                staging=function.staging,
            )
        except ProjectError as error:
            logger.warning(
                "%s: build failed: it exited 0 but %s; it is built again at the next start "
                "or file change",
                function.path,
                error.problem,
            )
            return error.problem
        return None


def packages_in_build_order(deferred: Sequence[Deferred]) -> list[list[Deferred]]:
    """The functions with a build of their own, by package, each package's in its order."""
    packages: dict[str, list[Deferred]] = {}
    for function in deferred:
        if function.step:
            packages.setdefault(function.path.rpartition("/")[0], []).append(function)
    return list(packages.values())


def _select(project: Project, failures: dict[str, str]) -> tuple[tuple[Action, ...], list[Step]]:
    """The deferred functions' files, now that they are built; a function whose files the
    deployer would refuse joins `failures` (as a build error does in the deployer)."""
    deferred = {d.path: d for d in project.deferred}
    actions: list[Action] = []
    staging: list[Step] = []
    for action in project.actions:
        pending = deferred.get(action.path)
        if pending is None or pending.path in failures:
            actions.append(action)
            continue
        try:
            code = directory_code(
                project.root, pending.directory, action_name=pending.path, staging=pending.staging
            )
        except ProjectError as error:
            failures[pending.path] = error.problem
            actions.append(action)
            continue
        kind = action.exec.kind
        if code.runtime and not pending.configured_runtime:
            kind = resolve_kind(code.runtime).name
        actions.append(
            dataclasses.replace(
                action,
                exec=Exec(kind, action.exec.main, code.source, code.binary, code.origin),
                annotations=action.annotations.merged({"exec": kind}),
            )
        )
        staging += code.staging
    return tuple(actions), staging


def lacks_requirements(action: Action) -> bool:
    """A Python directory function with a requirements.txt and no virtualenv/: on the
    platform, as here, nothing in it is installed."""
    source = Path(action.exec.source)
    return (
        action.exec.kind.startswith("python:")
        and action.exec.binary
        and (source / "requirements.txt").is_file()
        and not (source / "virtualenv").is_dir()
    )


def _warn_uninstalled_requirements(project: Project, with_build: Iterable[str]) -> None:
    scripted = set(with_build)
    for action in project.actions:
        if action.path not in scripted and lacks_requirements(action):
            logger.warning(
                "%s: requirements.txt is not installed: DigitalOcean installs nothing from it "
                "and the function has no virtualenv/ folder; %s",
                action.path,
                REQUIREMENTS_RECIPE,
            )
