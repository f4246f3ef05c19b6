"""Registry: the namespace's packages and functions, as deployed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum

from emulator.namespace.entities import Action, BuildFailure, Package
from emulator.namespace.errors import NotFound, WrongCollection


class Origin(Enum):
    """Which deployment serves a function: the project's files, or a PUT through the API."""

    PROJECT = "project"
    API = "api"


class Registry:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._actions: dict[str, Action] = {}
        self._packages: dict[str, Package] = {}
        self._build_failures: dict[str, BuildFailure] = {}
        self._deployed_by_api: set[str] = set()

    def replace(
        self,
        packages: Iterable[Package],
        actions: Iterable[Action],
        build_failures: Mapping[str, BuildFailure] | None = None,
    ) -> None:
        """Swap in a whole deployment at once (loading project.yml is a deploy).

        `build_failures` names the functions whose build failed, with the failure: they stay
        listed, and invoking one answers that failure.
        """
        self._packages = {p.name: p for p in packages}
        self._actions = {a.path: a for a in actions}
        self._build_failures = dict(build_failures or {})
        self._deployed_by_api = set()

    def put_action(self, action: Action) -> None:
        """Add or replace one function, deployed through the API."""
        self._actions[action.path] = action
        self._build_failures.pop(action.path, None)
        self._deployed_by_api.add(action.path)

    def remove_action(self, path: str) -> Action:
        action = self.action(path)
        del self._actions[path]
        self._build_failures.pop(path, None)
        self._deployed_by_api.discard(path)
        return action

    def put_package(self, package: Package) -> None:
        self._packages[package.name] = package

    def remove_package(self, name: str) -> Package:
        package = self._packages.pop(name, None)
        if package is None:
            raise NotFound()
        return package

    def origin(self, path: str) -> Origin:
        return Origin.API if path in self._deployed_by_api else Origin.PROJECT

    def build_failure(self, path: str) -> str | None:
        """The message a call of the function answers when its build failed."""
        failure = self._build_failures.get(path)
        return failure.message if failure else None

    def build_hint(self, path: str) -> str | None:
        """One line on why the function's build failed and what to do about it."""
        failure = self._build_failures.get(path)
        return failure.hint if failure else None

    def action(self, path: str) -> Action:
        """The function named `name` or `pkg/name`."""
        action = self._actions.get(path)
        if action is not None:
            return action
        if path in self._packages:
            raise WrongCollection()
        raise NotFound()

    def find_action(self, path: str) -> Action | None:
        return self._actions.get(path)

    def package(self, name: str | None) -> Package | None:
        return self._packages.get(name) if name else None

    def actions(self, package: str | None = None) -> list[Action]:
        """Newest first, as the platform lists them; only `package`'s when given."""
        chosen = [a for a in self._actions.values() if package is None or a.package == package]
        return sorted(chosen, key=lambda a: a.updated, reverse=True)

    def packages(self) -> list[Package]:
        return sorted(self._packages.values(), key=lambda p: p.updated, reverse=True)
