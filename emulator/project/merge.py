"""project.yml merged with the file system, by package name and then function name; where
both describe a function, project.yml's fields win (functions-deployer project-reader.ts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.project.layout import FoundFunction, FoundPackage
from emulator.project.validation import functions_key


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    package: str
    name: str
    config: dict[str, Any]  # its project.yml entry; {} when it is only on disk
    key_path: str | None  # where that entry is, e.g. "packages[0].functions[1]"
    found: FoundFunction | None  # None: only named in project.yml


@dataclass(frozen=True, slots=True)
class PackageSpec:
    name: str
    config: dict[str, Any]
    key_path: str | None
    functions: tuple[FunctionSpec, ...]


@dataclass(slots=True)
class _Merging:
    name: str
    config: dict[str, Any] = field(default_factory=dict)
    key_path: str | None = None
    functions: dict[str, FunctionSpec] = field(default_factory=dict)

    def add_config(self, config: dict[str, Any], key_path: str) -> None:
        self.config = {**self.config, **config}
        self.key_path = key_path
        key = functions_key(config)
        entries = (config.get(key) or []) if key else []
        for index, entry in enumerate(entries):
            self._add_function(entry, f"{key_path}.{key}[{index}]")

    def _add_function(self, entry: dict[str, Any], key_path: str) -> None:
        name = entry["name"]
        before = self.functions.get(name)
        config = {**before.config, **entry} if before else entry
        found = before.found if before else None
        self.functions[name] = FunctionSpec(self.name, name, config, key_path, found)

    def frozen(self) -> PackageSpec:
        return PackageSpec(self.name, self.config, self.key_path, tuple(self.functions.values()))


def merge(config: dict[str, Any], found: tuple[FoundPackage, ...]) -> tuple[PackageSpec, ...]:
    """The packages on disk first (each with its functions), then those only in project.yml."""
    merging: dict[str, _Merging] = {}
    for package in found:
        functions = {
            f.name: FunctionSpec(package.name, f.name, {}, None, f) for f in package.functions
        }
        merging[package.name] = _Merging(package.name, functions=functions)
    for index, package_config in enumerate(config.get("packages") or []):
        name = package_config["name"]
        merging.setdefault(name, _Merging(name)).add_config(package_config, f"packages[{index}]")
    return tuple(m.frozen() for m in merging.values())
