"""The types of the suite's factory fixtures, for the tests that annotate them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

MakeClient = Callable[..., Awaitable[TestClient[Any, Any]]]
"""`make_client(project="api", *, authorized=True, app_options=None, **settings)`."""
