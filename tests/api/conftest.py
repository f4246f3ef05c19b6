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
