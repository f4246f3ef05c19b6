"""Registry: the namespace's packages and functions, as deployed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from emulator.entities import Action, Package
from emulator.errors import NotFound, WrongCollection
from emulator.project.build_failures import BuildFailure


class Registry:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._actions: dict[str, Action] = {}
        self._packages: dict[str, Package] = {}
        self._build_failures: dict[str, BuildFailure] = {}

    def replace(
        self,
        packages: Iterable[Package],
        actions: Iterable[Action],
        build_failures: Mapping[str, str] | None = None,
    ) -> None:
        """Swap in a whole deployment at once (loading project.yml is a deploy).

        `build_failures` names the functions whose build failed, with the failure: they stay
        listed, and invoking one answers that failure.
        """
        self._packages = {p.name: p for p in packages}
        self._actions = {a.path: a for a in actions}
        failures = build_failures or {}
        self._build_failures = {path: BuildFailure.of(text) for path, text in failures.items()}

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

    def package(self, name: str | None) -> Package | None:
        return self._packages.get(name) if name else None

    def actions(self, package: str | None = None) -> list[Action]:
        """Newest first, as the platform lists them; only `package`'s when given."""
        chosen = [a for a in self._actions.values() if package is None or a.package == package]
        return sorted(chosen, key=lambda a: a.updated, reverse=True)

    def packages(self) -> list[Package]:
        return sorted(self._packages.values(), key=lambda p: p.updated, reverse=True)
