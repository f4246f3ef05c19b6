"""The real clients from tests/node_modules, and an emulator CLI for them to talk to."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.settings import DEFAULT_AUTH
from tests.conftest import REPO, ServerProcess, free_port

NODE_MODULES = REPO / "tests" / "node_modules"
CONFORMANCE = REPO / "tests" / "conformance"
PROJECTS = CONFORMANCE / "projects"
# The variables a client would pick up from the developer's shell instead of ours.
CLIENT_VARIABLES = ("__OW_API_HOST", "__OW_API_KEY", "__OW_NAMESPACE", "__OW_USER_AGENT")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "PROXY", "http_proxy", "https_proxy", "proxy")


def require_clients() -> None:
    """Skip without the npm clients, except in CI, where missing clients are a failure."""
    if (NODE_MODULES / ".package-lock.json").exists():
        return
    message = f"{NODE_MODULES} is missing: run `npm ci --prefix tests`"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(message)
    pytest.skip(message)


def client_environment(home: Path, **extra: str) -> dict[str, str]:
    """The process environment without the caller's client settings, with HOME in tmp."""
    hidden = {*CLIENT_VARIABLES, *PROXY_VARIABLES}
    env = {key: value for key, value in os.environ.items() if key not in hidden}
    return {**env, "HOME": str(home), "NO_PROXY": "127.0.0.1", **extra}


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
