"""The `pytest11` entry point `functions_emulator`: options, the marker, and the fixtures,
unless turned off (`-p no:functions_emulator`, `--no-functions-emulator`, or
`functions_emulator = false` in the ini file).

Only pytest and the plugin's options are imported here; the emulator loads when a test first
asks for one of its fixtures."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from emulator.pytest_plugin import function_coverage, options


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)
    function_coverage.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    # Registered even when the plugin is off, so that marked tests still pass --strict-markers.
    config.addinivalue_line("markers", options.MARKER_HELP)
    if not options.enabled(config):
        return
    from emulator.pytest_plugin import fixtures

    if function_coverage.wanted(config):
        function_coverage.FunctionCoverage.start(config)
    config.pluginmanager.register(fixtures, "functions_emulator.fixtures")
    if importlib.util.find_spec("pytest_asyncio") is not None:
        from emulator.pytest_plugin import async_fixtures

        config.pluginmanager.register(async_fixtures, "functions_emulator.async_fixtures")


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    if not options.enabled(config):
        return None
    from emulator.pytest_plugin.reporting import explain

    return explain(config, op, left, right, plugin=sys.modules[__name__])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    function_coverage.report(config, terminalreporter)
