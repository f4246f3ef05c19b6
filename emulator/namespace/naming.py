"""The platform's rules for entity names and versions."""

from __future__ import annotations

import re

from emulator.namespace.errors import IllegalName, NameTooLong

MAX_NAME_LENGTH = 256
# The package segment that names a function outside any package; no package may take it.
DEFAULT_PACKAGE = "default"
# ASCII `\w`, as in the platform's (Java) pattern: "été" is not a name there.
_NAME = re.compile(r"\A(?:\w|\w[\w@ .&-]{0,254}[\w@.&-])\Z", re.ASCII)
_VERSION = re.compile(r"\A(\d+)\.(\d+)\.(\d+)\Z")


def check_name(path: str) -> None:
    """Each segment of `name` or `pkg/name` against the platform's entity name rule."""
    for segment in path.split("/"):
        check_segment(segment)


def check_segment(name: str) -> None:
    """One name: a package's, a function's, a trigger's or a rule's (a `/` is refused)."""
    if len(name) > MAX_NAME_LENGTH:
        raise NameTooLong(len(name), MAX_NAME_LENGTH)
    if not _NAME.match(name):
        raise IllegalName()


def next_version(version: str) -> str:
    """One patch level up: 0.0.1 → 0.0.2."""
    match = _VERSION.match(version)
    if match is None:
        return version
    major, minor, patch = (int(part) for part in match.groups())
    return f"{major}.{minor}.{patch + 1}"
