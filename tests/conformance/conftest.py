"""The real clients from tests/node_modules, and an emulator CLI for them to talk to."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest

from emulator.settings import DEFAULT_AUTH
from tests.support.clients import PROJECTS, require_clients
from tests.support.servers import ServerProcess, free_port


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`functions-emulator serve` on a copy of projects/served, shared by a module's tests."""
    require_clients()
    root = tmp_path_factory.mktemp("conformance")
    project = shutil.copytree(PROJECTS / "served", root / "served")
    port = free_port()
    args = [str(project), "--port", str(port), "--db", str(root / "emulator.db")]
    server = ServerProcess(args, {**os.environ}, port)
    # Read its log as it comes: a full pipe would block the server mid-scenario.
    reader = threading.Thread(target=collect_output, args=(server,), daemon=True)
    reader.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.process.kill()
        server.process.wait()
        reader.join(timeout=5)
        if server.process.stdout is not None:
            server.process.stdout.close()


def collect_output(server: ServerProcess) -> None:
    assert server.process.stdout is not None
    for line in server.process.stdout:
        server.output += line


@pytest.fixture(scope="module")
def auth() -> str:
    return DEFAULT_AUTH
