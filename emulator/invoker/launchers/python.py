"""Python: each `python:3.X` kind under a local python3.X, found on PATH or through pyenv."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from emulator.invoker.debugging import DebugScope
from emulator.invoker.launchers import (
    DEBUG_HOST,
    PRELAUNCH_DIRECTORY,
    debug_port,
    function_directory,
    probe,
    shim_path,
)
from emulator.invoker.process import LaunchSpec
from emulator.invoker.toolchain_probes import ToolchainProbes
from emulator.namespace.entities import Action
from emulator.namespace.runtimes import KINDS


@dataclass(frozen=True, slots=True)
class Interpreter:
    path: str
    version: str  # "3.11.7"


def probe_python(candidate: str, probes: ToolchainProbes | None = None) -> Interpreter | None:
    """The interpreter behind `candidate` if it really runs (pyenv shims may not).

    The real executable is kept, not a shim, which would rewrite PATH and add start-up time.
    """
    output = probe(
        [
            candidate,
            "-c",
            "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)",
        ],
        probes,
    )
    lines = (output or "").split()
    if len(lines) != 2:
        return None
    version, executable = lines
    return Interpreter(executable, version)


def find_python(version: str, probes: ToolchainProbes | None = None) -> Interpreter | None:
    """A local `python<version>`: on PATH, or installed by pyenv."""
    candidates: list[str] = []
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        str(p) for p in pyenv_root.glob(f"versions/{version}.*/bin/python{version}")
    )
    for candidate in candidates:
        found = probe_python(candidate, probes)
        if found and found.version.startswith(f"{version}."):
            return found
    return None


def has_debugpy(interpreter: Interpreter) -> bool:
    """Whether `interpreter`, run as functions run (-I), can import debugpy."""
    return probe([interpreter.path, "-I", "-c", "import debugpy"]) is not None


def _package_site(name: str) -> Path | None:
    """The folder that holds the emulator's own copy of package `name`, if it has one."""
    found = importlib.util.find_spec(name)
    if found is None or found.origin is None:
        return None
    return Path(found.origin).resolve().parent.parent


class PythonLauncher:
    """Runs each `python:3.X` kind under a local python3.X, else under this interpreter.

    With `debug`, a process of a function it covers waits for a debugger (debugpy) before it
    loads the function, when its interpreter has debugpy; otherwise it runs as usual after one
    line saying how to get it. With `coverage`, every process measures the lines its function
    runs with coverage.py, into data files named after that path (`<path>.<suffix>`).
    """

    def __init__(
        self,
        interpreters: Mapping[str, Interpreter],
        *,
        debug: DebugScope | bool = False,
        coverage: Path | None = None,
        debugpy_site: Path | None = None,
    ) -> None:
        """`debugpy_site`: a folder with a debugpy to lend the interpreters that have none."""
        self._debugpy_site = debugpy_site
        self._interpreters = dict(interpreters)
        self._fallback = Interpreter(sys.executable, ".".join(map(str, sys.version_info[:3])))
        self._debug = debug if isinstance(debug, DebugScope) else DebugScope(enabled=debug)
        self._coverage = coverage
        # Per interpreter path: whether it has debugpy (asked once; the hint is printed once).
        self._debugpy: dict[str, bool] = {}

    @classmethod
    def discover(
        cls,
        *,
        debug: DebugScope | bool = False,
        coverage: Path | None = None,
        probes: ToolchainProbes | None = None,
    ) -> PythonLauncher:
        kinds = [kind for kind in KINDS.values() if kind.family == "python"]
        # Each probe starts an interpreter: run them side by side.
        with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
            found = pool.map(lambda k: find_python(k.version, probes), kinds)
            interpreters = {k.name: i for k, i in zip(kinds, found, strict=True) if i is not None}
            # The emulator's own debugpy (the `debug` extra) serves any interpreter.
            own = _package_site("debugpy")
            return cls(interpreters, debug=debug, coverage=coverage, debugpy_site=own)

    def interpreter(self, kind: str) -> Interpreter:
        return self._interpreters.get(kind, self._fallback)

    def is_exact(self, kind: str) -> bool:
        """Whether `kind` runs under its own python3.X, not under the emulator's interpreter."""
        return kind in self._interpreters

    def spec(self, action: Action, env: Mapping[str, str]) -> LaunchSpec:
        interpreter = self.interpreter(action.exec.kind)
        env = {**env, "PYTHONIOENCODING": "UTF-8"}
        debugger, notice = (
            self._debugger(interpreter) if self._debug.covers(action.path) else ((), None)
        )
        return LaunchSpec(
            (*self._argv(interpreter), *debugger), function_directory(action), env, notice
        )

    def prelaunch(self, kind: str, env: Mapping[str, str]) -> LaunchSpec | None:
        if self._debug.everything:
            return None  # a process waits for its debugger before it loads anything
        # The locale is read once, at start-up; everything else is applied at the load (the
        # shim replaces os.environ and calls tzset before it imports the function).
        startup = {k: v for k, v in env.items() if k == "LANG" or k.startswith("LC_")}
        startup["PYTHONIOENCODING"] = "UTF-8"
        return LaunchSpec(self._argv(self.interpreter(kind)), PRELAUNCH_DIRECTORY, startup)

    def _argv(self, interpreter: Interpreter) -> tuple[str, ...]:
        # -I: no user site-packages, no PYTHON* variables, no script directory on sys.path.
        # -B: no __pycache__ folders written into the project (the deployer would see them).
        # -u: each line reaches the emulator as it is printed, for the live logs.
        argv = (interpreter.path, "-I", "-B", "-u", str(shim_path("python_launcher.py")))
        return argv + self._coverage_options()

    def _coverage_options(self) -> tuple[str, ...]:
        """The shim's options that measure coverage: the data file, and where coverage.py is
        (the emulator's own copy; the function's interpreter may have none)."""
        if self._coverage is None:
            return ()
        site = _package_site("coverage")
        if site is None:
            raise RuntimeError("measuring coverage needs coverage.py: pip install coverage")
        return (f"--coverage={self._coverage}", f"--coverage-path={site}")

    def _debugger(self, interpreter: Interpreter) -> tuple[tuple[str, ...], str | None]:
        """The shim's debugger option and the line to print about it."""
        known = interpreter.path in self._debugpy
        if not known:
            self._debugpy[interpreter.path] = has_debugpy(interpreter)
        borrowed: tuple[str, ...] = ()
        if not self._debugpy[interpreter.path]:
            own = self._debugpy_site
            if own is None:
                hint = (
                    f"debugpy is not installed for {interpreter.path}; to debug, run "
                    f"'{interpreter.path} -m pip install debugpy'. Running without a debugger."
                )
                return (), None if known else hint
            borrowed = (f"--debugpy-path={own}",)
        address = f"{DEBUG_HOST}:{debug_port()}"
        notice = f"waiting for a debugger (debugpy) to attach on {address}"
        return (f"--debugpy={address}", *borrowed), notice

    async def warm_up(self, actions: Sequence[Action]) -> None:
        return None  # an interpreter needs nothing prepared

    def problem(self, kind: str) -> str | None:
        # Any Python kind can fall back to the emulator's own interpreter.
        return None

    def describe(self, kind: str) -> str:
        interpreter = self.interpreter(kind)
        note = "" if self.is_exact(kind) else f" (no python{kind[7:]} found)"
        return f"{kind}: {interpreter.path} {interpreter.version}{note}"
