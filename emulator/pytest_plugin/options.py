"""Which emulator a test gets: the project (marker, ini option or rootdir), the functions it
loads, the values it binds, and whether the platform's throttles apply."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

MARKER = "functions_emulator"
ENABLED_INI = "functions_emulator"
PROJECT_INI = "functions_emulator_project"
THROTTLE_INI = "functions_emulator_throttle"
BARE_INI = "functions_emulator_bare_runtimes"
DISABLE_FLAG = "--no-functions-emulator"
BARE_FLAG = "--functions-emulator-bare-runtimes"
MARKER_HELP = (
    f"{MARKER}(project=None, functions=None, parameters=None, environment=None, "
    "clock=None): the emulator this test gets (functions_emulator plugin)"
)
_MARKER_KEYS = frozenset({"project", "functions", "parameters", "environment", "clock"})
_PROJECT_FILES = ("project.yml", "projectConfig.yml")


@dataclass(frozen=True, slots=True)
class EmulatorOptions:
    """What one emulator serves; equal options share a session's emulator."""

    project_file: Path  # project.yml, or where it would be in a folder with only packages/
    functions: tuple[str, ...] | None = None  # None: all of them
    parameters: Mapping[str, Any] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)
    # Where the emulator's clock starts, in epoch milliseconds; None: now.
    clock_ms: int | None = None
    throttled: bool = False
    # None of the runtime images' packages: functions get only what they bundle.
    bare_runtimes: bool = False

    @property
    def key(self) -> str:
        """A text equal for equal options (the mappings make the value itself unhashable)."""
        return json.dumps(
            [
                str(self.project_file),
                self.functions,
                dict(self.parameters),
                dict(self.environment),
                self.clock_ms,
                self.throttled,
                self.bare_runtimes,
            ],
            sort_keys=True,
            default=str,
        )


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("functions_emulator", "DigitalOcean Functions emulator")
    group.addoption(
        DISABLE_FLAG,
        action="store_true",
        default=False,
        help="turn the functions_emulator plugin off (no fixtures)",
    )
    parser.addini(
        ENABLED_INI, "false turns the functions_emulator plugin off", type="bool", default=True
    )
    parser.addini(
        PROJECT_INI,
        "the Functions project the fixtures serve (a folder or its project.yml), relative to "
        "the ini file; default: the first of rootdir and its parents with project.yml or "
        "packages/",
    )
    group.addoption(
        BARE_FLAG,
        action="store_true",
        default=False,
        help="serve functions without the runtime images' packages (requests, openwhisk…), "
        "as a strict test that the project bundles what it imports",
    )
    parser.addini(
        BARE_INI,
        "true serves functions without the runtime images' packages (strict bundling)",
        type="bool",
        default=False,
    )
    parser.addini(
        THROTTLE_INI,
        "true keeps the platform's throttles (600 invocations a minute, 120 at once)",
        type="bool",
        default=False,
    )


def enabled(config: pytest.Config) -> bool:
    if config.getoption(DISABLE_FLAG):
        return False
    return bool(config.getini(ENABLED_INI))


def options_for(node: pytest.Item | pytest.Collector, config: pytest.Config) -> EmulatorOptions:
    """The options of the closest `functions_emulator` marker, over the ini and rootdir's."""
    marker = node.get_closest_marker(MARKER)
    values: dict[str, Any] = dict(marker.kwargs) if marker else {}
    unknown = sorted(set(values) - _MARKER_KEYS)
    if marker and (unknown or marker.args):
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} takes only the keywords {', '.join(sorted(_MARKER_KEYS))}"
            + (f"; not {', '.join(unknown)}" if unknown else "")
        )
    project = values.get("project")
    functions = values.get("functions")
    if isinstance(functions, str):
        functions = [functions]
    return EmulatorOptions(
        project_file=_project_file(config, project, node),
        functions=tuple(functions) if functions is not None else None,
        parameters=dict(values.get("parameters") or {}),
        environment={k: str(v) for k, v in (values.get("environment") or {}).items()},
        clock_ms=_epoch_ms(values["clock"]) if values.get("clock") is not None else None,
        throttled=bool(config.getini(THROTTLE_INI)),
        bare_runtimes=bool(config.getoption(BARE_FLAG) or config.getini(BARE_INI)),
    )


def _epoch_ms(moment: datetime | str) -> int:
    """A marker's `clock`: an aware datetime, or ISO 8601 text; without a zone, UTC."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER}(clock=...) takes a datetime or ISO 8601 text, "
                f"not {moment!r}"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _project_file(
    config: pytest.Config, given: str | Path | None, node: pytest.Item | pytest.Collector
) -> Path:
    if given is not None:
        # A marker's path is relative to the file of the test it marks.
        return _config_file(Path(node.path).parent / given, source=f"@pytest.mark.{MARKER}")
    configured = config.getini(PROJECT_INI)
    if configured:
        base = config.inipath.parent if config.inipath else config.rootpath
        return _config_file(base / str(configured), source=f"the {PROJECT_INI} ini option")
    for folder in (config.rootpath, *config.rootpath.parents):
        found = _in_folder(folder)
        if found is not None:
            return found
    raise pytest.UsageError(
        f"functions_emulator: no Functions project (project.yml or packages/) in "
        f"{config.rootpath} or its parents; set the {PROJECT_INI} ini option or "
        f"@pytest.mark.{MARKER}(project=...)"
    )


def _config_file(path: Path, *, source: str) -> Path:
    if path.is_file():
        return path
    found = _in_folder(path) if path.is_dir() else None
    if found is None:
        raise pytest.UsageError(
            f"functions_emulator: {path} (from {source}) is not a Functions project: it has "
            "no project.yml and no packages/"
        )
    return found


def _in_folder(folder: Path) -> Path | None:
    for name in _PROJECT_FILES:
        if (folder / name).is_file():
            return folder / name
    # The deployer needs no project.yml: packages/ alone is a project.
    return folder / "project.yml" if (folder / "packages").is_dir() else None
