"""What the file system says: each directory under `packages/` is a package, and each file or
directory in a package is a function (functions-deployer project-reader.ts)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from emulator.namespace.runtimes import EXTENSION_FAMILIES, UnknownKind, resolve_kind
from emulator.project.exclusions import is_system_excluded
from emulator.project.project_error import ProjectError

PACKAGES_DIR = "packages"
BINARY_EXTENSIONS = frozenset({"zip", "jar"})


@dataclass(frozen=True, slots=True)
class FileParts:
    """What a function file's name says about it."""

    name: str
    runtime: str | None  # a kind name, possibly `<family>:default`
    binary: bool


@dataclass(frozen=True, slots=True)
class FoundFunction:
    name: str
    path: Path
    is_directory: bool
    runtime: str | None = None  # from the file name; directories are looked into later
    binary: bool = False


@dataclass(frozen=True, slots=True)
class FoundPackage:
    name: str
    functions: tuple[FoundFunction, ...]


def read_packages(root: Path) -> tuple[FoundPackage, ...]:
    """The packages under `<root>/packages`, by name; files directly in it are strays."""
    packages_dir = root / PACKAGES_DIR
    if not packages_dir.is_dir():
        return ()
    return tuple(
        FoundPackage(entry.name, _read_package(root, entry))
        for entry in _entries(root, packages_dir)
        if entry.is_dir()
    )


def _entries(root: Path, directory: Path) -> list[Path]:
    # Hidden entries (`.nimbella`, `.deployed`, `.emulator`, editors' files) are never code.
    return sorted(
        entry
        for entry in directory.iterdir()
        if not entry.name.startswith(".")
        and not is_system_excluded(entry.relative_to(root).as_posix())
    )


def _read_package(root: Path, directory: Path) -> tuple[FoundFunction, ...]:
    entries = _entries(root, directory)
    # Files first, so that a clash reads as the deployer reports it.
    files = [e for e in entries if not e.is_dir()]
    found = [_file_function(e) for e in files] + [
        FoundFunction(e.name, e, is_directory=True) for e in entries if e.is_dir()
    ]
    seen: dict[str, FoundFunction] = {}
    for function in found:
        if function.name in seen:
            raise ProjectError(_duplicate(function.name, seen[function.name], function))
        seen[function.name] = function
    return tuple(found)


def _file_function(path: Path) -> FoundFunction:
    parts = file_parts(path.name)
    return FoundFunction(parts.name, path, False, parts.runtime, parts.binary)


def _duplicate(name: str, former: FoundFunction, latter: FoundFunction) -> str:
    def use(function: FoundFunction) -> str:
        if function.is_directory:
            return "as a directory"
        return f"with runtime '{function.runtime or 'undefined'}'"

    return f"The action name '{name}' appears twice, once {use(former)} and once {use(latter)}"


def file_parts(file_name: str) -> FileParts:
    """The deployer's `actionFileToParts`: `a.b.js` is function `a.b` in nodejs;
    `hello.nodejs-18.zip` is function `hello` in nodejs:18; no extension means binary."""
    if file_name.find(".") <= 0:
        return FileParts(file_name, None, binary=True)
    parts = file_name.split(".")
    extension = parts[-1]
    if extension == "zip" and len(parts) > 2:
        name, middle = _name_and_middle(parts[:-1])
        return FileParts(name, _runtime_for_middle(middle), binary=True)
    return FileParts(
        ".".join(parts[:-1]), runtime_for_extension(extension), extension in BINARY_EXTENSIONS
    )


def runtime_for_extension(extension: str) -> str | None:
    family = EXTENSION_FAMILIES.get(extension)
    return f"{family}:default" if family else None


def _name_and_middle(parts: list[str]) -> tuple[str, str]:
    # `hello.python-3.11.zip`: the version's dot split the runtime in two.
    if len(parts) > 2 and parts[-1].isdigit() and "-" in parts[-2]:
        return ".".join(parts[:-2]), ".".join(parts[-2:])
    return ".".join(parts[:-1]), parts[-1]


def _runtime_for_middle(middle: str) -> str | None:
    family, _, version = middle.partition("-")
    runtime = f"{family}:{version or 'default'}"
    try:
        resolve_kind(runtime)
    except UnknownKind:
        return None
    return runtime
