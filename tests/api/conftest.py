"""API tests talk HTTP to the emulator serving tests/fixtures/projects/api."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient


@pytest.fixture
async def client(make_client: Any) -> TestClient[Any, Any]:
    return await make_client()


@pytest.fixture
def small_project(tmp_path: Any) -> Any:
    """A project of one Python function, `demo/hello`, in its own folder: deploys through
    the API write their code under its `.emulator/`."""
    root = tmp_path / "small"
    (root / "packages" / "demo").mkdir(parents=True)
    (root / "packages" / "demo" / "hello.py").write_text(
        "def main(args):\n    return {'body': 'project hello'}\n"
    )
    (root / "project.yml").write_text(
        "packages:\n  - name: demo\n    functions:\n"
        "      - name: hello\n        runtime: python:3.11\n"
    )
    return root


@pytest.fixture
async def deploy_client(make_client: Any, small_project: Any) -> TestClient[Any, Any]:
    return await make_client(small_project)
