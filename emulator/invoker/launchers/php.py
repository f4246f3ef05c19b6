"""PHP: every `php:8.X` kind under one local php, the configured one or php on PATH."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from emulator.invoker.debugging import DebugScope
from emulator.invoker.launchers import (
    DEBUG_HOST,
    death_guard,
    function_directory,
    probe,
    shim_path,
)
from emulator.invoker.process import LaunchSpec
from emulator.invoker.toolchain_probes import ToolchainProbes
from emulator.namespace.entities import Action

# The shim's oldest supported PHP, as DigitalOcean's oldest kind is php:8.0.
OLDEST = (8, 0)
INSTALL_HINT = (
    "Install PHP 8 (Debian/Ubuntu: apt-get install php-cli; macOS: brew install php) or point "
    "--php (FUNCTIONS_EMULATOR_PHP) at a php executable."
)
# The php.ini of DigitalOcean's PHP images (Apache's runtime php.ini), whatever the local one
# says: errors are logged to stderr, never displayed on stdout; $_ENV holds the environment.
INI_SETTINGS = {
    "display_errors": "0",
    "display_startup_errors": "0",
    "log_errors": "1",
    "error_log": "",
    "error_reporting": "-1",
    "html_errors": "0",
    "output_buffering": "0",
    "memory_limit": "-1",
    "max_execution_time": "0",
    "variables_order": "EGPCS",
    "zend.assertions": "-1",
}


@dataclass(frozen=True, slots=True)
class PhpProgram:
    path: str
    version: str  # "8.2.36"
    release: tuple[int, int]  # (8, 2)


def probe_php(program: str, probes: ToolchainProbes | None = None) -> PhpProgram | None:
    """The php behind `program` if it really runs, with its version."""
    output = probe([program, "-r", "echo PHP_VERSION, ' ', PHP_BINARY;"], probes)
    version, _, executable = (output or "").strip().partition(" ")
    release = re.match(r"(\d+)\.(\d+)", version)
    if release is None:
        return None
    # PHP_BINARY is empty when php cannot tell where it runs from; keep what we ran then.
    major, minor = release.groups()
    return PhpProgram(executable or program, version, (int(major), int(minor)))


XDEBUG_HINT = "apt-get install php-xdebug"
# Xdebug loaded as Debian installs it, or as the emulator loads it when it is installed but
# not enabled (the Makefile's toolchains leave it so: it slows every PHP process down).
XDEBUG_EXTENSION = "-dzend_extension=xdebug.so"


def xdebug_options(php: str) -> tuple[str, ...] | None:
    """The options that give `php` Xdebug: none when it is loaded already, the extension when
    it is installed; None when it is not there."""
    loaded = probe([php, "-r", "echo extension_loaded('xdebug') ? 'yes' : 'no';"])
    if loaded == "yes":
        return ()
    loadable = probe([php, XDEBUG_EXTENSION, "-r", "echo extension_loaded('xdebug') ? 'y' : 'n';"])
    return (XDEBUG_EXTENSION,) if loadable == "y" else None


class PhpLauncher:
    """Runs `php:8.0` to `php:8.5` alike under the one php found here; with `debug`, the
    processes of the functions it covers with Xdebug, which connects to the IDE's port at
    the start of each activation until one listens there."""

    def __init__(
        self, php: PhpProgram | None, program: str, *, debug: DebugScope | bool = False
    ) -> None:
        self._php = php
        self._program = program
        self._debug = debug if isinstance(debug, DebugScope) else DebugScope(enabled=debug)
        # Asked once, at the first debugged process; the hint is printed once.
        self._xdebug_known = False
        self._xdebug: tuple[str, ...] | None = None

    @classmethod
    def discover(
        cls,
        program: str | None,
        *,
        debug: DebugScope | bool = False,
        probes: ToolchainProbes | None = None,
    ) -> PhpLauncher:
        wanted = program or "php"
        found = shutil.which(wanted)
        return cls(probe_php(found or wanted, probes), wanted, debug=debug)

    @property
    def php(self) -> PhpProgram | None:
        return self._php

    def spec(self, action: Action, env: Mapping[str, str]) -> LaunchSpec:
        if self._php is None:
            raise RuntimeError(self.problem(action.exec.kind))
        ini = [f"-d{name}={value}" for name, value in INI_SETTINGS.items()]
        covered = self._debug.covers(action.path)
        debugger, notice = self._debugger(self._php) if covered else ((), None)
        argv = (
            *death_guard(),
            self._php.path,
            *ini,
            *debugger,
            str(shim_path("php_launcher.php")),
        )
        return LaunchSpec(argv, function_directory(action), env, notice)

    def _debugger(self, php: PhpProgram) -> tuple[tuple[str, ...], str | None]:
        """Xdebug's options and the line to print about them."""
        known = self._xdebug_known
        if not known:
            self._xdebug = xdebug_options(php.path)
            self._xdebug_known = True
        extension = self._xdebug
        if extension is None:
            hint = (
                f"Xdebug is not installed for {php.path}; to debug, run '{XDEBUG_HINT}'. "
                "Running without a debugger."
            )
            return (), None if known else hint
        address = f"{DEBUG_HOST}:{self._debug.xdebug_port}"
        options = (
            *extension,
            "-dxdebug.mode=debug",
            "-dxdebug.start_with_request=yes",
            f"-dxdebug.client_host={DEBUG_HOST}",
            f"-dxdebug.client_port={self._debug.xdebug_port}",
            # No "could not connect" lines in the function's logs while no IDE listens.
            "-dxdebug.log_level=0",
        )
        notice = f"Xdebug connects to the IDE at {address} (PHP: listen for Xdebug there)"
        return options, notice

    def prelaunch(self, kind: str, env: Mapping[str, str]) -> LaunchSpec | None:
        return None  # each process is started for its function

    async def warm_up(self, actions: Sequence[Action]) -> None:
        return None  # an interpreter needs nothing prepared

    def problem(self, kind: str) -> str | None:
        php = self._php
        if php is None:
            return (
                f"The runtime '{kind}' needs PHP, but the php program '{self._program}' "
                f"was not found or did not run. {INSTALL_HINT}"
            )
        if php.release < OLDEST:
            return (
                f"The runtime '{kind}' needs PHP {OLDEST[0]}.{OLDEST[1]} or later, but "
                f"{php.path} is version {php.version}. {INSTALL_HINT}"
            )
        return None

    def describe(self, kind: str) -> str:
        php = self._php
        if php is None:
            return f"{kind}: unavailable, php program '{self._program}' not found"
        wanted = kind.partition(":")[2]
        have = f"{php.release[0]}.{php.release[1]}"
        note = "" if wanted == have else f" (PHP {have} stands in for {wanted})"
        old = "" if php.release >= OLDEST else f" (too old: needs {OLDEST[0]}.{OLDEST[1]}+)"
        return f"{kind}: {php.path} {php.version}{note}{old}"
