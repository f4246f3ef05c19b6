"""The user-level cache of runtime images and toolchains: one folder per kind, shared by every
project (`~/.cache/functions-emulator`, or `$XDG_CACHE_HOME/functions-emulator`, or
FUNCTIONS_EMULATOR_CACHE_DIR), each with an `installed.json` that says what is in it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CACHE_DIR_VARIABLE = "FUNCTIONS_EMULATOR_CACHE_DIR"
MARKER = "installed.json"


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """FUNCTIONS_EMULATOR_CACHE_DIR, else the XDG cache folder's `functions-emulator`."""
    if environ.get(CACHE_DIR_VARIABLE):
        return Path(environ[CACHE_DIR_VARIABLE])
    base = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME", "~")) / ".cache")
    return Path(base).expanduser() / "functions-emulator"


def _folder(kind: str) -> str:
    return kind.replace(":", "-")  # "python:3.11" → "python-3.11"


@dataclass(frozen=True, slots=True)
class Installed:
    """What one folder of the cache holds."""

    packages: tuple[str, ...] = ()  # the image's packages, by name
    program: str = ""  # what it was installed with or for: an interpreter, a toolchain
    version: str = ""


class RuntimeCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def image_dir(self, kind: str) -> Path:
        return self.root / "runtimes" / _folder(kind)

    def toolchain_dir(self, kind: str) -> Path:
        return self.root / "toolchains" / _folder(kind)

    def image(self, kind: str) -> Installed | None:
        return _read(self.image_dir(kind) / MARKER)

    def toolchain(self, kind: str) -> Installed | None:
        return _read(self.toolchain_dir(kind) / MARKER)

    def record_image(self, kind: str, installed: Installed) -> None:
        _write(self.image_dir(kind) / MARKER, installed)

    def record_toolchain(self, kind: str, installed: Installed) -> None:
        _write(self.toolchain_dir(kind) / MARKER, installed)


def _read(marker: Path) -> Installed | None:
    with contextlib.suppress(OSError, ValueError, TypeError):
        data = json.loads(marker.read_text(encoding="utf-8"))
        return Installed(
            tuple(data.get("packages", ())),
            str(data.get("program", "")),
            str(data.get("version", "")),
        )
    return None


def _write(marker: Path, installed: Installed) -> None:
    marker.parent.mkdir(parents=True, exist_ok=True)
    partial = marker.with_name(marker.name + ".partial")
    document = {
        "packages": sorted(installed.packages),
        "program": installed.program,
        "version": installed.version,
    }
    partial.write_text(json.dumps(document, indent=1), encoding="utf-8")
    partial.replace(marker)
