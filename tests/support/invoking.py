"""An Invoker's test helpers: a transaction id, one call to its end, its log lines, functions
on disk."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from emulator.invoker.invoker import Invoker
from emulator.namespace.clock import SystemClock
from emulator.namespace.entities import (
    Action,
    Activation,
    Annotations,
    Exec,
    Limits,
    Package,
    parameters_from,
)
from emulator.namespace.registry import Registry

NAMESPACE = "fn-test"
RID = "R" * 32  # the transaction id every test invocation carries


async def run(invoker: Invoker, path: str, params: dict[str, Any] | None = None) -> Activation:
    """Invoke `path` and wait for its stored activation."""
    invocation = await invoker.invoke(path, params or {}, request_id=RID)
    return await invocation.done


def annotation(activation: Activation, key: str) -> Any:
    return activation.annotations.get(key)


def messages_of(activation: Activation, stream: str | None = None) -> list[str]:
    """The log lines without their timestamps: `stdout: text`, or only the text of `stream`."""
    lines = [line.split(" ", 1)[1].lstrip() for line in activation.logs]
    if stream is None:
        return lines
    prefix = f"{stream}: "
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


class Functions:
    """Writes functions to disk and deploys them into the registry."""

    def __init__(self, root: Path, registry: Registry) -> None:
        self.root = root
        self.registry = registry
        self.packages: dict[str, Package] = {}
        self.actions: dict[str, Action] = {}
        self._version = 0

    def add(
        self,
        name: str,
        code: str,
        *,
        package: str | None = "pkg",
        files: dict[str, str] | None = None,
        limits: Limits | None = None,
        parameters: dict[str, Any] | None = None,
        environment: dict[str, str] | None = None,
        annotations: dict[str, Any] | None = None,
        kind: str = "python:3.11",
        filename: str | None = None,
        main: str = "main",
    ) -> Action:
        """A single-file function, or with `files` a directory function whose `code` goes
        into `filename` (`<name>.py` and `__main__.py` by default)."""
        self._version += 1
        folder = self.root / f"v{self._version}" / (package or "default")
        if files is None:
            folder.mkdir(parents=True, exist_ok=True)
            source = folder / (filename or f"{name}.py")
            source.write_text(textwrap.dedent(code))
        else:
            source = folder / name
            source.mkdir(parents=True)
            if code:
                (source / (filename or "__main__.py")).write_text(textwrap.dedent(code))
            for relative, text in files.items():
                (source / relative).parent.mkdir(parents=True, exist_ok=True)
                (source / relative).write_text(textwrap.dedent(text))
        action = Action(
            namespace=NAMESPACE,
            package=package,
            name=name,
            exec=Exec(kind, main, source, binary=files is not None),
            parameters=parameters_from(parameters, environment),
            annotations=Annotations.of({"final": True, **(annotations or {})}),
            limits=limits or Limits(),
            updated=self._version,
        )
        if package and package not in self.packages:
            self.packages[package] = Package(NAMESPACE, package)
        self.actions[action.path] = action
        self.registry.replace(self.packages.values(), self.actions.values())
        return action

    def add_package(self, package: Package) -> None:
        self.packages[package.name] = package
        self.registry.replace(self.packages.values(), self.actions.values())


class SteppedClock(SystemClock):
    """The system clock, with a monotonic time that a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return super().monotonic() + self.offset
