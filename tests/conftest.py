"""Fixtures shared by the whole suite: the emulator as an aiohttp app over a real project."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
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

MakeClient = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture(scope="session")
def launchers() -> dict[str, Launcher]:
    """Finding the local interpreters takes a while: once per test session."""
    return discover_launchers()


@pytest.fixture
def make_client(aiohttp_client: Any, tmp_path: Path, launchers: dict[str, Launcher]) -> MakeClient:
    """Start the emulator on `project` (a fixture name or a path) with a fresh database."""

    async def make(project: str | Path = "api", **settings: Any) -> TestClient[Any, Any]:
        folder = FIXTURE_PROJECTS / project if isinstance(project, str) else project
        settings.setdefault("db_path", tmp_path / "activations.db")
        app = create_app(
            Settings(project_file=folder / "project.yml", **settings),
            launchers=lambda: launchers,
        )
        client: TestClient[Any, Any] = await aiohttp_client(
            app, headers={"Authorization": AUTH_HEADER}
        )
        return client

    return make
