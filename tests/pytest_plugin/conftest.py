"""The plugin's tests: a throwaway Functions project and its user's test suite, run with
pytester in this process, with the suite's toolchains (finding them again costs seconds)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

# Imported here, before pytester's inner sessions: each of them forgets the modules it
# imported, and its tests must see the same classes as the plugin.
import emulator.pytest_plugin.activation
import emulator.pytest_plugin.async_handle
import emulator.pytest_plugin.handle  # noqa: F401
from emulator.invoker.launchers import Launcher
from tests.support.pytester_runs import QUICK

# The inner session's settings, and its conftest: the plugin's toolchain fixture, overridden
# with the launchers this session found (a plugin's fixture yields to a conftest's).
INNER_INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""
INNER_CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def _functions_emulator_launchers(request):
    plugins = request.config.pluginmanager.get_plugins()
    outer = next(p for p in plugins if hasattr(p, "outer_launchers"))
    return lambda _project_file: outer.outer_launchers
"""


class OuterLaunchers:
    """A plugin for the inner session: the launchers this session found."""

    def __init__(self, launchers: dict[str, Launcher]) -> None:
        self.outer_launchers = launchers


@pytest.fixture
def user_project(pytester: pytest.Pytester, launchers: dict[str, Launcher]) -> Any:
    """Write a project (project.yml and function files) and its tests into pytester's folder;
    run_tests() runs them there, in process, and returns pytester's result."""

    class UserProject:
        path: Path = pytester.path

        def write(self, files: dict[str, str]) -> None:
            for name, text in files.items():
                target = pytester.path / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(textwrap.dedent(text).lstrip())

        def run_tests(
            self, *args: str, toolchains: dict[str, Launcher] | None = None
        ) -> pytest.RunResult:
            """`toolchains` replace some of the launchers the inner session gets."""
            (pytester.path / "pytest.ini").write_text(INNER_INI)
            (pytester.path / "conftest.py").write_text(INNER_CONFTEST)
            given = OuterLaunchers({**launchers, **(toolchains or {})})
            return pytester.runpytest_inprocess(*QUICK, *args, plugins=[given])

    return UserProject()
