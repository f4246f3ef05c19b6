"""Launchers: which local program serves each runtime family, and how it starts a function.

Every launcher starts a process that speaks the same line protocol (see shims/): the first
stdin line initialises the function and is acknowledged on the result pipe, then each line
is one activation.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Protocol

from emulator.invoker.process import LaunchSpec
from emulator.invoker.toolchain_probes import ToolchainProbes
from emulator.namespace.entities import Action


class Launcher(Protocol):
    def spec(self, action: Action, env: Mapping[str, str]) -> LaunchSpec:
        """How to start a process for `action` with exactly the environment `env`."""
        ...

    def describe(self, kind: str) -> str:
        """One line for the start banner: what serves `kind` here."""
        ...

    def problem(self, kind: str) -> str | None:
        """Why `kind` cannot run on this machine (say, a missing toolchain), or None."""
        ...

    async def warm_up(self, actions: Sequence[Action]) -> None:
        """Prepare, in the background at start, what these functions' first calls need."""
        ...

    def prelaunch(self, kind: str, env: Mapping[str, str]) -> LaunchSpec | None:
        """A generic process for `kind` that loads its function on the first call, started
        ahead of need with only what of `env` has to be there from its start (the platform's
        prelaunch); None when every process must start for its own function."""
        ...


def probe(argv: Sequence[str], probes: ToolchainProbes | None = None) -> str | None:
    """What `argv` prints when it runs and succeeds: how launchers ask a toolchain about
    itself. None when it is missing, fails or hangs. `probes` may answer from what the
    program said before (None: it runs)."""
    return (probes or ToolchainProbes(None)).run(argv)


def death_guard() -> tuple[str, ...]:
    """A prefix for argv that has the kernel kill the program when the emulator dies.

    Interpreters without a prctl call of their own (node, php) get it from setpriv, which
    sets it and then execs them; without setpriv there is no guard.
    """
    setpriv = shutil.which("setpriv")
    return (setpriv, "--pdeathsig", "KILL", "--") if setpriv else ()


def shim_path(name: str) -> Path:
    """A file of `emulator/invoker/shims/`, the code that runs inside function processes."""
    return Path(str(resources.files("emulator.invoker.shims").joinpath(name)))


# Where a prelaunched process waits: no function's directory yet (its load changes to it).
PRELAUNCH_DIRECTORY = Path("/")

DEBUG_HOST = "127.0.0.1"


def debug_port() -> int:
    """A free local port for one process's debugger (`--debug`)."""
    with socket.socket() as sock:
        sock.bind((DEBUG_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def function_directory(action: Action) -> Path:
    """Where the function's process runs: its directory, or the folder of its single file."""
    source = action.exec.source
    return source if action.exec.binary else source.parent
