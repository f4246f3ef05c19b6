"""Fixtures shared by the whole suite: the emulator as an aiohttp app over a real project."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulator.app import create_app, discover_launchers
from emulator.invoker.launchers import Launcher
from emulator.invoker.runtime_cache import CACHE_DIR_VARIABLE
from emulator.settings import Settings
from tests.support.fixture_types import MakeClient
from tests.support.paths import FIXTURE_PROJECTS, SAMPLE_PROJECT
from tests.support.routes import AUTH_HEADER
from tests.support.servers import ServerProcess, free_port

# tests/pytest_plugin runs throwaway test suites with pytester; pytest accepts plugins only
# from the top-level conftest.
pytest_plugins = ["pytester"]

_USER_CACHE = os.environ.get(CACHE_DIR_VARIABLE)


def pytest_configure(config: pytest.Config) -> None:
    # The runtime cache (image packages, exact toolchains) of this session, never the
    # developer's own: what the tests install they install here, once, and every emulator
    # and CLI the tests start (they inherit the environment) finds it.
    os.environ[CACHE_DIR_VARIABLE] = tempfile.mkdtemp(prefix="functions-emulator-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.pop(CACHE_DIR_VARIABLE, ""), ignore_errors=True)
    if _USER_CACHE is not None:
        os.environ[CACHE_DIR_VARIABLE] = _USER_CACHE


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
