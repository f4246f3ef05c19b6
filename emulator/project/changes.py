"""What a saved change did to a project: which paths can change what is served, the digests
of the code each function runs, and the functions a new deploy changed, added or removed."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change

from emulator.namespace.entities import Action, Package
from emulator.project.build_cache import input_digest
from emulator.project.loader import Project

# The emulator's own state, dependencies, VCS folders and what the deployer's builds write.
IGNORED_DIRS = frozenset(
    {
        ".emulator",
        "node_modules",
        "__pycache__",
        ".git",
        ".hg",
        ".svn",
        ".idea",
        ".mypy_cache",
        ".pytest_cache",
        "virtualenv",
        ".deployed",
        ".built",
        "__deployer__.zip",
    }
)
# Editors' swap, backup and probe files: vim (.swp…, 4913), emacs (~, .#, #…#), JetBrains.
IGNORED_NAME = re.compile(
    r"\.sw[a-px]$|~$|^\.#|^#.*#$|^4913$|\.tmp$|___jb_\w+___$|^\.DS_Store$|\.py[cod]$"
)
SHOWN_FILES = 3


class ProjectFilter:
    """Which changed paths under the project root can change what is served."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def __call__(self, change: Change, path: str) -> bool:
        candidate = Path(path)
        parts = (
            candidate.relative_to(self._root).parts
            if candidate.is_relative_to(self._root)
            else candidate.parts
        )
        if not parts or any(part in IGNORED_DIRS for part in parts):
            return False
        return IGNORED_NAME.search(parts[-1]) is None


@dataclass(frozen=True, slots=True)
class Reload:
    """What one reload did to the served project."""

    files: tuple[str, ...]  # what changed on disk, relative to the project root
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()  # scheduled triggers added, changed or removed

    @property
    def line(self) -> str:
        """The one log line a reload prints."""
        shown = ", ".join(self.files[:SHOWN_FILES])
        if len(self.files) > SHOWN_FILES:
            shown += f" and {len(self.files) - SHOWN_FILES} more"
        what = [
            *(f"{path} (changed)" for path in self.changed),
            *(f"{path} (added)" for path in self.added),
            *(f"{path} (removed)" for path in self.removed),
            *(f"trigger {name} (updated)" for name in self.triggers),
        ]
        after = f" after {shown}" if shown else ""
        return f"reloaded{after}: {', '.join(what) or 'no function changed'}"


def code_digests(actions: Iterable[Action]) -> dict[str, str]:
    """`pkg/fn` → a digest of the code each function runs (its file, or its directory)."""
    return {action.path: _code_digest(action.exec.source) for action in actions}


def _code_digest(source: Path) -> str:
    try:
        if source.is_dir():
            return input_digest(source, source, salt="")
        return hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:
        return ""  # unreadable now: differs from any readable version


def carried_over(
    old: Project,
    old_digests: Mapping[str, str],
    new: Project,
    new_digests: Mapping[str, str],
    files: Sequence[str],
) -> tuple[Project, Reload]:
    """`new`, with `old`'s values wherever only the deploy time differs; and what changed."""
    before = {action.path: action for action in old.actions}
    actions: list[Action] = []
    changed: list[str] = []
    for action in new.actions:
        previous = before.get(action.path)
        if previous is None:
            actions.append(action)
        elif (
            _same(previous, action)
            and old_digests.get(action.path) == new_digests.get(action.path)
            and old.build_failures.get(action.path) == new.build_failures.get(action.path)
        ):
            actions.append(previous)
        else:
            # A new deploy time is a new pool key, even with a clock that stood still.
            updated = max(action.updated, previous.updated + 1)
            actions.append(dataclasses.replace(action, updated=updated))
            changed.append(action.path)
    paths = {action.path for action in new.actions}
    old_triggers = {trigger.name: trigger for trigger in old.triggers}
    new_triggers = {trigger.name: trigger for trigger in new.triggers}
    outcome = Reload(
        files=tuple(files),
        changed=tuple(changed),
        added=tuple(action.path for action in new.actions if action.path not in before),
        removed=tuple(path for path in before if path not in paths),
        triggers=tuple(
            sorted(
                name
                for name in old_triggers.keys() | new_triggers.keys()
                if old_triggers.get(name) != new_triggers.get(name)
            )
        ),
    )
    packages = _kept_packages(old.packages, new.packages)
    return dataclasses.replace(new, actions=tuple(actions), packages=packages), outcome


def _kept_packages(old: Iterable[Package], new: Iterable[Package]) -> tuple[Package, ...]:
    before = {package.name: package for package in old}
    return tuple(
        previous if (previous := before.get(package.name)) and _same(previous, package) else package
        for package in new
    )


def _same(old: Action | Package, new: Action | Package) -> bool:
    return dataclasses.replace(new, updated=old.updated) == old


def relative(root: Path, path: str) -> str:
    candidate = Path(path)
    return candidate.relative_to(root).as_posix() if candidate.is_relative_to(root) else path
