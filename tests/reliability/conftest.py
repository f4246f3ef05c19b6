"""One emulator per test module: bad-input tests send hundreds of requests to one app, as a
client would, instead of paying an app (and a cold function) per request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from emulator.app import create_app
from emulator.invoker.launchers import Launcher
from emulator.settings import Settings
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import AUTH_HEADER

OpenClient = Callable[..., AbstractAsyncContextManager[TestClient[Any, Any]]]


@pytest.fixture(scope="module")
def open_client(
    launchers: dict[str, Launcher], tmp_path_factory: pytest.TempPathFactory
) -> OpenClient:
    """`async with open_client("web") as client`: the emulator on a fixture project, with a
    fresh database, throttles off (these tests call far more often than a namespace may)."""

    @asynccontextmanager
    async def open_(
        project: str = "api", *, authorized: bool = True, **settings: Any
    ) -> AsyncIterator[TestClient[Any, Any]]:
        settings.setdefault("db_path", tmp_path_factory.mktemp("db") / "activations.db")
        settings.setdefault("invocations_per_minute", None)
        settings.setdefault("concurrent_invocations", None)
        app = create_app(
            Settings(project_file=Path(FIXTURE_PROJECTS / project / "project.yml"), **settings),
            launchers=lambda _: launchers,
        )
        headers = {"Authorization": AUTH_HEADER} if authorized else {}
        async with TestClient(TestServer(app), headers=headers) as client:
            yield client

    return open_
