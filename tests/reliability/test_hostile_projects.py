"""A project.yml that is hostile or odd (nested past any JSON, a number JavaScript cannot
hold, aliases that expand a billion times or refer to themselves, a key named twice,
parameters past the platform's limit) gets the deployer's one-line "Invalid project
configuration" at start and at reload, and a reload keeps the last good version serving."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from emulator.project import load_project
from emulator.project.project_error import ProjectError
from tests.support.fixture_types import MakeClient
from tests.support.routes import ACTIONS

FUNCTION = "def main(args):\n    return {'keys': sorted(args)}\n"
HEAD = "packages:\n  - name: p\n    functions:\n      - name: f\n        runtime: python:3.11\n"
GOOD = HEAD + "        parameters:\n          good: 1\n"


def laughs(levels: int) -> str:
    """Each alias nine times the one before: 9**levels strings from a few lines."""
    lines = [
        "        parameters:",
        "          a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    ]
    for level in range(1, levels + 1):
        previous = f"*a{level - 1}"
        lines.append(f"          a{level}: &a{level} [{', '.join([previous] * 9)}]")
    return HEAD + "\n".join(lines) + "\n"


HOSTILE = {
    "nested 2000 deep": (
        HEAD + "        parameters:\n          x: " + "[" * 2000 + "]" * 2000 + "\n",
        "the configuration nests deeper than 128 levels",
    ),
    "nested 200 deep": (
        HEAD + "        parameters:\n          x: " + "[" * 200 + "]" * 200 + "\n",
        "the configuration nests deeper than 128 levels",
    ),
    "a 400-digit integer": (
        HEAD + "        limits:\n          timeout: " + "9" * 400 + "\n",
        "the number 99999999999999999999… at line 7, column 20 is not one JSON can carry "
        "(JavaScript reads it as Infinity or NaN)",
    ),
    "billion laughs": (
        laughs(9),
        "aliases expand the configuration to more than 1000000 values at line 13, column 15",
    ),
    "a self-referencing alias": (
        HEAD + "        parameters:\n          x: &x [1, *x]\n",
        "an alias refers to a value that holds it at line 7, column 14",
    ),
    "a duplicate key": (
        HEAD + "        runtime: nodejs:18\n",
        "duplicated mapping key at line 6, column 9",
    ),
    "parameters past 1 MB": (
        HEAD + "        parameters:\n          big: " + "x" * (1024 * 1024) + "\n",
        "parameters larger than allowed: 1048602 > 1048576 bytes.",
    ),
}


def write_project(root: Path, config: str) -> Path:
    (root / "packages" / "p").mkdir(parents=True, exist_ok=True)
    (root / "packages" / "p" / "f.py").write_text(FUNCTION)
    (root / "project.yml").write_text(config)
    return root


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_project_yml_is_refused_with_one_clear_problem(tmp_path: Path, case: str) -> None:
    config, problem = HOSTILE[case]
    root = write_project(tmp_path, config)
    with pytest.raises(ProjectError) as refused:
        load_project(root / "project.yml", namespace="fn-test", environ={})
    assert refused.value.problem == problem
    assert str(refused.value).startswith("Invalid project configuration file (project.yml): ")


def test_merge_keys_may_bring_keys_the_mapping_names_again(tmp_path: Path) -> None:
    config = (
        "packages:\n  - name: p\n    functions:\n"
        "      - &base {name: f, runtime: python:3.11, limits: {timeout: 5000}}\n"
        "      - <<: *base\n        name: g\n"
    )
    root = write_project(tmp_path, config)
    (root / "packages" / "p" / "g.py").write_text(FUNCTION)
    project = load_project(root / "project.yml", namespace="fn-test", environ={})
    assert {a.name: a.limits.timeout for a in project.actions} == {"f": 5000, "g": 5000}


@pytest.mark.parametrize("case", ["nested 2000 deep", "billion laughs", "a duplicate key"])
def test_at_start_a_hostile_project_yml_is_one_line_and_a_failed_exit(
    tmp_path: Path, case: str
) -> None:
    root = write_project(tmp_path / "project", HOSTILE[case][0])
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", str(root), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Error: Invalid project configuration file (project.yml): {HOSTILE[case][1]} "
        f"(file {root / 'project.yml'})"
    ]


async def test_at_reload_each_hostile_project_yml_is_one_line_and_the_last_good_one_serves(
    make_client: MakeClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="emulator.reloader")
    root = write_project(tmp_path / "project", GOOD)
    client = await make_client(root)
    assert await keys(client) == ["good"]
    for case, (config, problem) in HOSTILE.items():
        caplog.clear()
        (root / "project.yml").write_text(config)
        errors = await logged_errors(caplog)
        with pytest.raises(ProjectError) as refused:
            load_project(root / "project.yml", namespace="fn-test", environ={})
        assert refused.value.problem == problem, case
        assert errors == [f"not reloaded, still serving the last good version: {refused.value}"]
        assert all(record.exc_info is None for record in caplog.records), case
        assert await keys(client) == ["good"], case


async def keys(client: Any) -> Any:
    response = await client.post(f"{ACTIONS}/p/f?blocking=true&result=true", json={})
    assert response.status == 200
    return (await response.json())["keys"]


async def logged_errors(caplog: pytest.LogCaptureFixture, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        if errors:
            return errors
        assert time.monotonic() < deadline, "the reload never reported"
        await asyncio.sleep(0.1)
