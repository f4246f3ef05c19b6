"""The synchronous fixtures: `functions_emulator` (one emulator per session and set of
options) and `functions_emulator_fresh` (one per test, with an empty database)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from emulator.pytest_plugin.function_coverage import state_of
from emulator.pytest_plugin.options import EmulatorOptions, options_for
from emulator.pytest_plugin.reporting import announce, remembering

if TYPE_CHECKING:
    from emulator.pytest_plugin.handle import FunctionsEmulator
    from emulator.pytest_plugin.server import Launchers, ThreadedEmulator

LaunchersFor = Callable[[Path], "Launchers"]


@pytest.fixture(scope="session")
def _functions_emulator_launchers(request: pytest.FixtureRequest) -> LaunchersFor:
    """The local toolchains, found once per session and project (Go's build cache is the
    project's `.emulator/go`); measuring the functions with `--functions-emulator-cov`."""
    from emulator.pytest_plugin.server import discover_launchers

    found: dict[Path, Launchers] = {}
    coverage = state_of(request.config)

    def launchers_for(project_file: Path) -> Launchers:
        root = project_file.resolve().parent
        if root not in found:
            if coverage is None:
                found[root] = discover_launchers(project_file)
            else:
                coverage.roots.add(root)
                coverage.node_folder.mkdir(parents=True, exist_ok=True)
                found[root] = discover_launchers(
                    project_file,
                    python_coverage=coverage.python_data,
                    node_coverage=coverage.node_folder,
                )
        return found[root]

    return launchers_for


class _Emulators:
    """The session's emulators, one per set of options, started when first asked for."""

    def __init__(self, config: pytest.Config, folder: Path, launchers_for: LaunchersFor) -> None:
        self._config = config
        self._folder = folder
        self._launchers_for = launchers_for
        self._started: dict[str, tuple[ThreadedEmulator, FunctionsEmulator]] = {}

    def get(self, options: EmulatorOptions) -> FunctionsEmulator:
        if options.key not in self._started:
            database = self._folder / f"activations-{len(self._started)}.db"
            server = start(self._config, options, database, self._launchers_for)
            self._started[options.key] = (server, handle_of(self._config, server))
        return self._started[options.key][1]

    def close(self) -> None:
        for server, _ in self._started.values():
            server.close()


@pytest.fixture(scope="session")
def _functions_emulator_session(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _functions_emulator_launchers: LaunchersFor,
) -> Iterator[_Emulators]:
    emulators = _Emulators(
        request.config, tmp_path_factory.mktemp("functions-emulator"), _functions_emulator_launchers
    )
    yield emulators
    emulators.close()


@pytest.fixture
def functions_emulator(
    request: pytest.FixtureRequest, _functions_emulator_session: _Emulators
) -> FunctionsEmulator:
    """The emulator serving the project, started once per session (and per marker options);
    activations of earlier tests stay in its database."""
    return _functions_emulator_session.get(options_for(request.node, request.config))


@pytest.fixture
def functions_emulator_fresh(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    _functions_emulator_launchers: LaunchersFor,
) -> Iterator[FunctionsEmulator]:
    """An emulator of this test's own, with an empty database and new processes."""
    options = options_for(request.node, request.config)
    server = start(
        request.config, options, tmp_path / "activations.db", _functions_emulator_launchers
    )
    try:
        yield handle_of(request.config, server)
    finally:
        server.close()


def start(
    config: pytest.Config, options: EmulatorOptions, database: Path, launchers_for: LaunchersFor
) -> ThreadedEmulator:
    from emulator.pytest_plugin.server import ThreadedEmulator

    server = ThreadedEmulator(
        options, database=database, launchers=launchers_for(options.project_file)
    )
    announce(config, str(options.project_file.resolve().parent), server.emulator.problems)
    return server


def handle_of(config: pytest.Config, server: ThreadedEmulator) -> FunctionsEmulator:
    from emulator.pytest_plugin.handle import FunctionsEmulator

    return FunctionsEmulator(server, remembering(config))
