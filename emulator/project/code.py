"""Where a function's code is, as the deployer would package it: one file, a whole directory,
or the files that a directory's `.include` / `.ignore` select (functions-deployer
finder-builder.ts). Which build a directory has is decided here; builds run in
emulator/project/builds.py, before the files of a built directory are selected."""

from __future__ import annotations

import itertools
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from emulator.project.exclusions import IgnoreRules, is_system_excluded
from emulator.project.layout import file_parts
from emulator.project.project_error import ProjectError
from emulator.project.staging import Copy, Step, Unzip

ZIP_TARGET = "__deployer__.zip"
INCLUDE_FILES = (".include", ".source")  # `.source` is the legacy name
LIB_DIR = "lib"
# What builds leave in a directory (and the emulator's own folder): not a build's inputs.
BUILD_OUTPUTS = frozenset({"node_modules", "virtualenv", ".built", ZIP_TARGET, ".emulator"})
# Always left out of a directory function, whatever its .ignore says.
FIXED_IGNORES = (".ignore", "build.sh", "build.cmd", ZIP_TARGET)
LIB_PREFIX = "../../../lib"
ILLEGAL_DOTS = "Illegal use of '..' in an '.include' file"


@dataclass(frozen=True, slots=True)
class Code:
    source: Path  # a file (binary False) or a directory (binary True)
    binary: bool
    runtime: str | None  # guessed from file names; project.yml's `runtime` wins
    staging: tuple[Step, ...] = ()
    # The function's directory, when `source` is a staged selection of its files.
    origin: Path | None = None


@dataclass(frozen=True, slots=True)
class Deferred:
    """A directory function whose files are selected only after a build: its own, or lib's."""

    path: str  # `pkg/fn`, as the registry names it
    directory: Path
    step: str | None  # "build.sh" or "package.json"; None: only lib is built
    staging: Path
    configured_runtime: bool  # project.yml names the runtime, so the built files cannot change it


def file_code(path: Path, staging: Path) -> Code:
    """A single-file function; a zip archive is unpacked, as the runtime would."""
    parts = file_parts(path.name)
    if parts.binary and zipfile.is_zipfile(path):
        return Code(staging, True, parts.runtime, (Unzip(path, staging),))
    return Code(path, False, parts.runtime)


def directory_code(root: Path, directory: Path, *, action_name: str, staging: Path) -> Code:
    """A directory function: raise ProjectError for what the deployer refuses."""
    where = directory.relative_to(root).as_posix()
    names = {e.name for e in directory.iterdir() if e.is_file() and not is_system_excluded(e.name)}
    include = next((directory / n for n in INCLUDE_FILES if n in names), None)
    plain = include is None and ".ignore" not in names
    _check_special_files(names, where, include is not None, ".ignore" in names)
    listed = _listed(root, directory)
    if include is not None:
        pairs = _included(root, directory, include)
        if not pairs:
            raise ProjectError(f"{include.relative_to(root).as_posix()} is empty")
    else:
        # A plain directory is used in place: two files are enough to know it is not one.
        pairs = list(itertools.islice(listed, 2)) if plain else list(listed)
        if not pairs:
            raise ProjectError(f"Action '{action_name}' has no included files")
    if len(pairs) == 1:
        return file_code(pairs[0][0], staging)
    if plain:
        return Code(directory, True, _agreed_runtime(itertools.chain(pairs, listed)))
    copies = tuple(Copy(file, staging / name) for file, name in pairs)
    return Code(staging, True, _agreed_runtime(pairs), copies, origin=directory)


def build_step(root: Path, directory: Path) -> str | None:
    """The deployer's `getBuildForAction`: "build.sh", "package.json" or None (nothing to run);
    raise ProjectError for the special files it refuses."""
    names = {e.name for e in directory.iterdir() if e.is_file() and not is_system_excluded(e.name)}
    include = any(n in names for n in INCLUDE_FILES)
    _check_special_files(names, directory.relative_to(root).as_posix(), include, ".ignore" in names)
    return _script_or_npm(names)


def lib_build_step(root: Path) -> str | None:
    """How `<root>/lib` is built, if there is such a directory and it has a build."""
    lib = root / LIB_DIR
    if not lib.is_dir():
        return None
    names = {e.name for e in lib.iterdir() if e.is_file() and not is_system_excluded(e.name)}
    if names & {*INCLUDE_FILES, ".ignore"}:
        raise ProjectError("'.include' and '.ignore' are not supported in the 'lib' directory")
    _check_build_script(names, LIB_DIR)
    return _script_or_npm(names)


def source_runtime(root: Path, directory: Path) -> str | None:
    """The runtime a directory's own sources imply, before any build (build outputs aside)."""
    return _agreed_runtime((file, "") for file in source_files(root, directory))


def source_files(root: Path, directory: Path) -> Iterator[Path]:
    """A directory's files that are a build's inputs: what builds produce is left out."""
    entries = [
        entry
        for entry in sorted(directory.iterdir())
        if entry.name not in BUILD_OUTPUTS
        and not is_system_excluded(entry.relative_to(root).as_posix())
    ]
    yield from (entry for entry in entries if not entry.is_dir())
    for entry in entries:
        if entry.is_dir():
            yield from source_files(root, entry)


def _script_or_npm(names: set[str]) -> str | None:
    script = "build.cmd" if os.name == "nt" else "build.sh"
    if script in names:
        return script
    return "package.json" if "package.json" in names else None


def _agreed_runtime(pairs: Iterable[tuple[Path, str]]) -> str | None:
    # As the deployer's `agreeOnRuntime` really behaves: the first file that implies one.
    return next((r for file, _ in pairs if (r := file_parts(file.name).runtime)), None)


def _check_special_files(names: set[str], where: str, include: bool, ignore: bool) -> None:
    if include and ignore:
        message = f"In {where}: '.include' (or '.source') and '.ignore' may not both be present"
        raise ProjectError(message)
    if not names or names == {".ignore"}:
        raise ProjectError(f"Action directory {where} has no files")
    _check_build_script(names, where)


def _check_build_script(names: set[str], where: str) -> None:
    script, other = ("build.cmd", "build.sh") if os.name == "nt" else ("build.sh", "build.cmd")
    if other in names and script not in names:
        message = f"In {where}: '{other}' won't run on this platform and no '{script}' is provided"
        raise ProjectError(message)


def _walk(root: Path, directory: Path) -> Iterator[Path]:
    """Every file under `directory`, its own files first, then each subdirectory's."""
    entries = sorted(directory.iterdir())
    for entry in entries:
        if not entry.is_dir() and not is_system_excluded(entry.relative_to(root).as_posix()):
            yield entry
    for entry in entries:
        if entry.is_dir():
            yield from _walk(root, entry)


def _listed(root: Path, directory: Path) -> Iterator[tuple[Path, str]]:
    """The directory's files minus what `.ignore` (and the fixed list) leave out."""
    ignore_file = directory / ".ignore"
    lines = _read_list(ignore_file) if ignore_file.is_file() else []
    rules = IgnoreRules.parse([*lines, *FIXED_IGNORES])
    for file in _walk(root, directory):
        name = file.relative_to(directory).as_posix()
        if not rules.ignores(name):
            yield file, name


def _included(root: Path, directory: Path, include: Path) -> list[tuple[Path, str]]:
    """What `.include` names: (file, name in the package); lib items go by their basename."""
    pairs: list[tuple[Path, str]] = []
    for item in _read_list(include):
        _check_include_item(item)
        item = item.removeprefix("./").removeprefix(".\\").rstrip("/\\")
        path = Path(os.path.normpath(directory / item))
        if not path.is_relative_to(root):  # `../../../lib/../..` and the like
            raise ProjectError(ILLEGAL_DOTS)
        name = os.path.basename(item) if ".." in item else item
        if path.is_file():
            pairs.append((path, name))
        elif path.is_dir():
            pairs += [(f, f"{name}/{f.relative_to(path).as_posix()}") for f in _walk(root, path)]
        else:
            old = path.relative_to(root).as_posix()
            where = directory.relative_to(root).as_posix()
            raise ProjectError(f"{old} is included for '{where}' but does not exist")
    return pairs


def _check_include_item(item: str) -> None:
    if os.path.isabs(item) or item.startswith(("/", "\\")):
        raise ProjectError("Absolute paths are prohibited in an '.include' file")
    if ".." in item and not item.startswith(LIB_PREFIX):
        raise ProjectError(ILLEGAL_DOTS)


def _read_list(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [line.strip() for line in text.split("\n") if line.strip()]
