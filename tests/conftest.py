"""Fixtures shared by the whole suite: the emulator as an aiohttp app over a real project."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulator.app import create_app, discover_launchers
from emulator.invoker.launchers import Launcher
from emulator.settings import DEFAULT_AUTH, Settings

REPO = Path(__file__).resolve().parent.parent
FIXTURE_PROJECTS = REPO / "tests" / "fixtures" / "projects"
SAMPLE_PROJECT = REPO / "sample-project"
AUTH_HEADER = "Basic " + base64.b64encode(DEFAULT_AUTH.encode()).decode()
NAMESPACE = "fn-" + DEFAULT_AUTH.partition(":")[0]

# tests/pytest_plugin runs throwaway test suites with pytester; pytest accepts plugins only
# from the top-level conftest.
pytest_plugins = ["pytester"]

MakeClient = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture(scope="session")
def launchers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Launcher]:
    """Finding the local toolchains takes a while: once per test session."""
    project = tmp_path_factory.mktemp("toolchains") / "project.yml"
    return discover_launchers(Settings(project_file=project))


@pytest.fixture
def make_client(aiohttp_client: Any, tmp_path: Path, launchers: dict[str, Launcher]) -> MakeClient:
    """Start the emulator on `project` (a fixture name or a path) with a fresh database."""

    async def make(
        project: str | Path = "api",
        *,
        authorized: bool = True,
        app_options: dict[str, Any] | None = None,
        **settings: Any,
    ) -> TestClient[Any, Any]:
        """`authorized=False`: the client sends no key unless a request adds one;
        `app_options` go to create_app (a clock, the scheduler's sleep)."""
        folder = FIXTURE_PROJECTS / project if isinstance(project, str) else project
        settings.setdefault("db_path", tmp_path / "activations.db")
        app = create_app(
            Settings(project_file=folder / "project.yml", **settings),
            launchers=lambda _: launchers,
            **(app_options or {}),
        )
        headers = {"Authorization": AUTH_HEADER} if authorized else {}
        # A `port` setting is where the server listens too: functions call back to it.
        port = settings.get("port")
        client: TestClient[Any, Any] = await aiohttp_client(
            app, headers=headers, server_kwargs={"port": port} if port else None
        )
        return client

    return make


class ServerProcess:
    """`python -m emulator serve` in a subprocess, as a user starts it."""

    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = ""

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"emulator exited early:\n{self.finish()}")
            try:
                with urllib.request.urlopen(self.url + "/api/v1", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("emulator did not start listening")

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One authenticated call; the status and the decoded JSON body."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": AUTH_HEADER, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def finish(self, timeout: float = 30) -> str:
        """Wait for the exit and return everything it printed."""
        out, _ = self.process.communicate(timeout=timeout)
        self.output += out or ""
        return self.output

    def stop(self, sig: int = signal.SIGTERM) -> str:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.finish()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start the emulator CLI; every server is stopped at the end of the test."""
    started: list[ServerProcess] = []

    def start(
        project: Path | str = SAMPLE_PROJECT,
        *extra: str,
        port: int | None = None,
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> ServerProcess:
        port = port or free_port()
        args = [str(project), "--port", str(port), "--db", str(tmp_path / "cli.db"), *extra]
        server = ServerProcess(args, {**os.environ, **(env or {})}, port)
        started.append(server)
        if wait:
            server.wait_ready()
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)


def process_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
