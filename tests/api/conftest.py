"""API tests talk HTTP to the emulator serving tests/fixtures/projects/api."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

ACTIONS = "/api/v1/namespaces/_/actions"
ACTIVATIONS = "/api/v1/namespaces/_/activations"


@pytest.fixture
async def client(make_client: Any) -> TestClient[Any, Any]:
    return await make_client()


async def wait_for_record(client: TestClient[Any, Any], activation_id: str, seconds: float = 30):
    """Poll as the deployer does: 404 means not yet."""
    for _ in range(int(seconds * 20)):
        response = await client.get(f"{ACTIVATIONS}/{activation_id}")
        if response.status == 200:
            return await response.json()
        assert response.status == 404
        await asyncio.sleep(0.05)
    raise AssertionError(f"no record for {activation_id} after {seconds} s")


PACKAGES = "/api/v1/namespaces/_/packages"
NODE_HELLO = "function main(args) { return { body: 'Hello ' + (args.name || 'stranger') } }"


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
