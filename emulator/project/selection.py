"""Narrowing a loaded project for a test run: some of its functions, other bound values."""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Mapping

from emulator.namespace.entities import JSON, Action, Parameter
from emulator.project.loader import Project


class UnknownFunctions(ValueError):
    """Names that match none of the project's functions."""

    def __init__(self, names: Iterable[str], available: Iterable[str]) -> None:
        self.names = tuple(names)
        super().__init__(
            f"no function of the project matches {', '.join(self.names)}; "
            f"it has {', '.join(sorted(available)) or 'none'}"
        )


def select_functions(project: Project, names: Iterable[str]) -> Project:
    """The project with only the functions named (`pkg/fn`, `pkg/*`, or a package name), and
    only the triggers and builds of those; a name that matches nothing raises UnknownFunctions.

    The functions left out are not built, which is what makes a subset start quickly."""
    wanted = tuple(names)
    paths = [action.path for action in project.actions]
    unmatched = [name for name in wanted if not any(_matches(path, name) for path in paths)]
    if unmatched:
        raise UnknownFunctions(unmatched, paths)
    kept = {path for path in paths if any(_matches(path, name) for name in wanted)}
    return dataclasses.replace(
        project,
        actions=tuple(a for a in project.actions if a.path in kept),
        triggers=tuple(t for t in project.triggers if t.function in kept),
        deferred=tuple(d for d in project.deferred if d.path in kept),
        # lib/ is built for the functions that use it; with none of them left, not at all.
        lib_step=project.lib_step if any(d.path in kept for d in project.deferred) else None,
    )


def override_bindings(
    project: Project,
    *,
    parameters: Mapping[str, JSON] | None = None,
    environment: Mapping[str, str] | None = None,
) -> Project:
    """The project with these parameters and environment variables bound to every function,
    over what project.yml and `.env` bind (a function's own values included)."""
    if not parameters and not environment:
        return project
    overrides = (
        *(Parameter(key, value) for key, value in (parameters or {}).items()),
        *(Parameter(key, value, init=True) for key, value in (environment or {}).items()),
    )
    return dataclasses.replace(
        project, actions=tuple(_bound(action, overrides) for action in project.actions)
    )


def _bound(action: Action, overrides: tuple[Parameter, ...]) -> Action:
    replaced = {(p.key, p.init) for p in overrides}
    kept = tuple(p for p in action.parameters if (p.key, p.init) not in replaced)
    return dataclasses.replace(action, parameters=kept + overrides)


def _matches(path: str, name: str) -> bool:
    package = path.partition("/")[0] if "/" in path else None
    return path == name or package == name or fnmatch.fnmatchcase(path, name)
