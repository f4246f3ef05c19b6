"""`load_project`: a project directory read and checked the way `doctl serverless deploy` reads
it. Nothing on disk changes here: builds and the staged copies come after, in
emulator/project/builds.py `build_project`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.namespace.entities import Action, Package, ScheduledTrigger
from emulator.project.code import Deferred, lib_build_step
from emulator.project.deployment import deploy
from emulator.project.envfile import read_properties
from emulator.project.layout import read_packages
from emulator.project.merge import merge
from emulator.project.parsing import parse_config
from emulator.project.project_error import ProjectError
from emulator.project.staging import Step
from emulator.project.templating import substitute
from emulator.project.toplevel import ENV_FILE, TopLevel, read_top_level
from emulator.project.validation import validate_config


@dataclass(frozen=True, slots=True)
class Project:
    root: Path  # directory of the resolved project.yml
    # The configuration read: project.yml, or projectConfig.yml in a folder without one; when
    # there is neither, the project.yml that does not exist.
    config_file: Path
    packages: tuple[Package, ...]  # real packages only (never 'default'), as the deployer PUTs them
    actions: tuple[Action, ...]  # every function, as the platform stores it after a deploy
    triggers: tuple[ScheduledTrigger, ...]  # parsed and checked scheduled triggers
    warnings: tuple[str, ...]  # e.g. the deployer's deprecation warnings
    # What build_project still has to do; a function in `deferred` is, until then, its
    # directory (`exec.source`) with the runtime its sources imply.
    lib_step: str | None = None  # "build.sh" or "package.json" in <root>/lib
    deferred: tuple[Deferred, ...] = ()
    staging: tuple[Step, ...] = ()
    # After build_project: `pkg/fn` → the deployer's words for why it could not be built.
    build_failures: Mapping[str, str] = field(default_factory=dict)
    built: bool = False

    @property
    def location(self) -> Path:
        """What is served: the resolved configuration file, or the folder that has none."""
        return self.config_file.resolve() if self.config_file.is_file() else self.root


def load_project(
    config_file: Path,
    *,
    namespace: str,
    environ: Mapping[str, str],
    env_file: Path | None = None,
    now_ms: int = 0,
) -> Project:
    """The project as a deploy reads it, not yet built nor staged (see `build_project`).

    `config_file` need not exist: like the deployer, a folder without project.yml is read
    from its legacy projectConfig.yml, or else from its directories alone.
    Raise ProjectError for anything the deployer refuses; never half-load.
    """
    top = read_top_level(config_file, env_file=env_file)
    try:
        return _load(top, config_file, namespace, environ, env_file, now_ms)
    except ProjectError as err:
        if err.file is not None:
            raise
        named_file = str(top.config_file or config_file)
        named = ProjectError(err.problem, file=named_file, key_path=err.key_path)
        raise named.with_traceback(err.__traceback__) from err.__cause__


def _load(
    top: TopLevel,
    config_file: Path,
    namespace: str,
    environ: Mapping[str, str],
    env_file: Path | None,
    now_ms: int,
) -> Project:
    # 1. The configuration: substituted, parsed, checked.
    root = config_file.resolve().parent
    if env_file is not None and not env_file.exists():
        raise ProjectError(f"The specified environment file '{env_file}' does not exist")
    warnings = top.warnings
    config: dict[str, Any] = {}
    # Like the deployer, a project without a configuration is read from its directories alone.
    if top.config_file is not None:
        substituted = substitute(
            top.config_file.read_text(encoding="utf-8", errors="replace"),
            root=root,
            environ=environ,
            properties=read_properties(env_file or root / ENV_FILE),
        )
        warnings += substituted.warnings
        config = parse_config(substituted.text, top.config_file)
        validate_config(config)
        if substituted.unresolved:
            names = ", ".join(f"'{name}'" for name in substituted.unresolved)
            raise ProjectError(f"The following substitutions could not be resolved: {names}")
    # 2. Merged with the file system, turned into the platform's entities; the files of
    #    directories that a build may change are selected after it.
    lib_step = lib_build_step(root)
    packages = merge(config, read_packages(root))
    deployed = deploy(
        config,
        packages,
        root=root,
        namespace=namespace,
        now_ms=now_ms,
        lib_has_build=lib_step is not None,
    )
    return Project(
        root=root,
        config_file=top.config_file or config_file,
        packages=deployed.packages,
        actions=deployed.actions,
        triggers=deployed.triggers,
        warnings=warnings + deployed.warnings,
        lib_step=lib_step,
        deferred=deployed.deferred,
        staging=deployed.staging,
    )
