"""Node.js: every `nodejs:*` kind under one local node, the configured one or node on PATH."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator.invoker.debugging import DebugScope
from emulator.invoker.launchers import (
    DEBUG_HOST,
    PRELAUNCH_DIRECTORY,
    death_guard,
    debug_port,
    function_directory,
    probe,
    shim_path,
)
from emulator.invoker.process import LaunchSpec
from emulator.namespace.entities import Action

# The shim's oldest supported Node.js, as DigitalOcean's oldest kind is nodejs:14.
OLDEST_MAJOR = 14
INSTALL_HINT = (
    "Install Node.js (https://nodejs.org/) or point --node (FUNCTIONS_EMULATOR_NODE) "
    "at a node executable."
)


@dataclass(frozen=True, slots=True)
class NodeProgram:
    path: str
    version: str  # "20.20.2"

    @property
    def major(self) -> int:
        return int(self.version.partition(".")[0])


def probe_node(program: str) -> NodeProgram | None:
    """The node behind `program` if it really runs; its real executable, not a version shim."""
    output = probe(
        [program, "-e", "process.stdout.write(process.versions.node + ' ' + process.execPath)"]
    )
    version, _, executable = (output or "").partition(" ")
    if not executable or not version.partition(".")[0].isdigit():
        return None
    return NodeProgram(executable, version)


class NodeLauncher:
    """Runs `nodejs:14`, `:18`, `:22` and `:24` alike under the one node found here; with
    `debug`, each process of a function it covers under the inspector on a port of its own;
    with `coverage`, every process writes V8's coverage into that folder (NODE_V8_COVERAGE)."""

    def __init__(
        self,
        node: NodeProgram | None,
        program: str,
        *,
        debug: DebugScope | bool = False,
        coverage: Path | None = None,
    ) -> None:
        self._node = node
        self._program = program
        self._debug = debug if isinstance(debug, DebugScope) else DebugScope(enabled=debug)
        self._coverage = coverage

    @classmethod
    def discover(
        cls, program: str | None, *, debug: DebugScope | bool = False, coverage: Path | None = None
    ) -> NodeLauncher:
        wanted = program or "node"
        return cls(probe_node(wanted), wanted, debug=debug, coverage=coverage)

    @property
    def node(self) -> NodeProgram | None:
        return self._node

    def spec(self, action: Action, env: Mapping[str, str]) -> LaunchSpec:
        if self._node is None:
            raise RuntimeError(self.problem(action.exec.kind))
        inspect: tuple[str, ...] = ()
        notice = None
        if self._debug.covers(action.path):
            address = f"{DEBUG_HOST}:{debug_port()}"
            inspect = (f"--inspect={address}",)
            notice = f"debugger listening on {address} (Node inspector: chrome://inspect)"
        shim = str(shim_path("node_launcher.js"))
        argv = (*death_guard(), self._node.path, *inspect, shim)
        return LaunchSpec(argv, function_directory(action), self._measured(env), notice)

    def _measured(self, env: Mapping[str, str]) -> Mapping[str, str]:
        if self._coverage is None:
            return env
        return {**env, "NODE_V8_COVERAGE": str(self._coverage)}

    def prelaunch(self, kind: str, env: Mapping[str, str]) -> LaunchSpec | None:
        if self._debug.everything or self.problem(kind) is not None or self._node is None:
            return None
        # Read by node and libuv at start-up only; the shim sets everything else in
        # process.env before it loads the function.
        startup = {
            k: v
            for k, v in env.items()
            if k.startswith(("NODE_", "UV_", "LC_")) or k in ("LANG", "OPENSSL_CONF")
        }
        argv = (*death_guard(), self._node.path, str(shim_path("node_launcher.js")))
        return LaunchSpec(argv, PRELAUNCH_DIRECTORY, self._measured(startup))

    async def warm_up(self, actions: Sequence[Action]) -> None:
        return None  # an interpreter needs nothing prepared

    def problem(self, kind: str) -> str | None:
        if self._node is None:
            return (
                f"The runtime '{kind}' needs Node.js, but the node program '{self._program}' "
                f"was not found or did not run. {INSTALL_HINT}"
            )
        if self._node.major < OLDEST_MAJOR:
            return (
                f"The runtime '{kind}' needs Node.js {OLDEST_MAJOR} or later, but "
                f"{self._node.path} is version {self._node.version}. {INSTALL_HINT}"
            )
        return None

    def describe(self, kind: str) -> str:
        node = self._node
        if node is None:
            return f"{kind}: unavailable, node program '{self._program}' not found"
        wanted = kind.partition(":")[2]
        note = (
            "" if wanted == str(node.major) else f" (Node.js {node.major} stands in for {wanted})"
        )
        problem = "" if node.major >= OLDEST_MAJOR else f" (too old: needs {OLDEST_MAJOR}+)"
        return f"{kind}: {node.path} {node.version}{note}{problem}"
