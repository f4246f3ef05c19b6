"""The real clients from tests/node_modules, and an emulator CLI for them to talk to."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from emulator.settings import DEFAULT_AUTH
from tests.support.clients import PROJECTS, require_clients
from tests.support.servers import ServerProcess, served


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`functions-emulator serve` on a copy of projects/served, shared by a module's tests."""
    require_clients()
    root = tmp_path_factory.mktemp("conformance")
    project = shutil.copytree(PROJECTS / "served", root / "served")
    with served(project, root) as server:
        yield server


@pytest.fixture(scope="module")
def auth() -> str:
    return DEFAULT_AUTH
