"""Each command imports what it runs: a client command no server code, `serve` no client code,
so that `functions-emulator --version` and the client commands start at once."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.paths import SAMPLE_PROJECT

# Prints, when the command exits, which of the emulator's packages (and aiohttp) it imported.
PROBE = """
import atexit, json, sys
def report():
    names = {name.split(".")[0] if not name.startswith("emulator.") else
             ".".join(name.split(".")[:2]) for name in sys.modules}
    print("IMPORTED " + json.dumps(sorted(names)), file=sys.stderr)
atexit.register(report)
sys.argv = ["functions-emulator", *sys.argv[1:]]
from emulator.cli.main import main
main()
"""
SERVER_CODE = {
    "aiohttp",
    "emulator.api",
    "emulator.app",
    "emulator.invoker",
    "emulator.store",
    "emulator.services",
    "emulator.dashboard",
    "emulator.project",
}


def imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=SAMPLE_PROJECT.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next(line for line in done.stderr.splitlines() if line.startswith("IMPORTED "))
    return set(json.loads(line.removeprefix("IMPORTED ")))


def test_the_version_imports_no_command():
    names = imported("--version")
    assert not names & (SERVER_CODE | {"emulator.client", "emulator.replay"})


@pytest.mark.parametrize(
    "command",
    [
        ("functions", "list", "--help"),
        ("invoke", "--help"),
        ("activations", "list", "--help"),
        ("activations", "replay", "--help"),
        ("triggers", "list", "--help"),
    ],
    ids=" ".join,
)
def test_a_client_command_imports_no_server_code(command):
    names = imported(*command)
    assert "emulator.client" in names
    assert not names & SERVER_CODE


def test_serve_imports_no_client_code():
    assert "emulator.client" not in imported("serve", "--help")
