"""Waiting for an activation's record, as the deployer does: 404 means not yet."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from tests.support.routes import ACTIVATIONS


async def wait_for_record(client: TestClient[Any, Any], activation_id: str, seconds: float = 30):
    """Poll as the deployer does: 404 means not yet."""
    for _ in range(int(seconds * 20)):
        response = await client.get(f"{ACTIVATIONS}/{activation_id}")
        if response.status == 200:
            return await response.json()
        assert response.status == 404
        await asyncio.sleep(0.05)
    raise AssertionError(f"no record for {activation_id} after {seconds} s")
