"""`functions_emulator_async`: an emulator of the test's own in its event loop, for
pytest-aiohttp and pytest-asyncio users (registered only when pytest-asyncio is installed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from emulator.pytest_plugin.fixtures import LaunchersFor
from emulator.pytest_plugin.options import options_for
from emulator.pytest_plugin.reporting import announce, remembering

if TYPE_CHECKING:
    from emulator.pytest_plugin.async_handle import AsyncFunctionsEmulator


@pytest_asyncio.fixture
async def functions_emulator_async(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    _functions_emulator_launchers: LaunchersFor,
) -> AsyncIterator[AsyncFunctionsEmulator]:
    """An emulator serving the project in this test's event loop, with an empty database;
    the same calls as `functions_emulator`, as coroutines."""
    import aiohttp

    from emulator.pytest_plugin.async_handle import AsyncFunctionsEmulator
    from emulator.pytest_plugin.server import RunningEmulator

    options = options_for(request.node, request.config)
    emulator = await RunningEmulator.start(
        options,
        database=tmp_path / "activations.db",
        launchers=_functions_emulator_launchers(options.project_file),
    )
    announce(request.config, str(options.project_file.resolve().parent), emulator.problems)
    try:
        async with aiohttp.ClientSession() as session:
            yield AsyncFunctionsEmulator(emulator, session, remembering(request.config))
    finally:
        await emulator.close()
