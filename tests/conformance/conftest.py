"""The real clients from tests/node_modules, and an emulator CLI for them to talk to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.settings import DEFAULT_AUTH
from tests.support.clients import PROJECTS, require_clients
from tests.support.servers import ServerProcess, serve_copy


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`functions-emulator serve` on a copy of projects/served, shared by a module's tests."""
    require_clients()
    yield from serve_copy(tmp_path_factory.mktemp("conformance"), PROJECTS / "served")


@pytest.fixture(scope="module")
def auth() -> str:
    return DEFAULT_AUTH
