"""docs/runtime-images.md: each copyable shell block runs as written (read from the file) and
prints what the page says; every package of every image is named on the page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.namespace.images import IMAGES
from tests.support.ci import require
from tests.support.paths import REPO

PAGE = REPO / "docs" / "runtime-images.md"
BLOCK = re.compile(r"(?:<!-- test: (?P<id>[\w-]+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)


def blocks() -> dict[str, str]:
    """The shell blocks of the page, by their test id (an untested one is a failure)."""
    found: dict[str, str] = {}
    for match in BLOCK.finditer(PAGE.read_text()):
        if match["lang"] not in ("shell", "sh", "bash"):
            continue
        assert match["id"], f"a shell block without a test marker:\n{match['body']}"
        found[match["id"]] = match["body"]
    return found


def run_block(block: str) -> str:
    """The block in bash, with this virtualenv's `functions-emulator` on PATH and the
    session's runtime cache."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-e", "-c", block], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_every_shell_block_has_a_test():
    assert set(blocks()) == {"install-requests", "list"}


def test_the_install_block_installs_requests_for_python_312(launchers):
    require(launchers["python"].is_exact("python:3.12"), "python3.12 is not installed")
    output = run_block(blocks()["install-requests"])
    assert "python:3.12: installed requests" in output.splitlines()
    assert f"Runtime cache: {os.environ['FUNCTIONS_EMULATOR_CACHE_DIR']}" in output


def test_the_list_block_prints_every_kind():
    lines = run_block(blocks()["list"]).splitlines()
    # One line per kind (17), then the cache's.
    assert lines[0].startswith("nodejs:14: ") and len(lines) == 18
    assert any(line.startswith("python:3.9: ") and "image packages" in line for line in lines)
    assert lines[-1].startswith("Runtime cache: ")


@pytest.mark.parametrize("kind", sorted(IMAGES))
def test_the_page_names_every_package_of_every_image(kind):
    text = PAGE.read_text()
    missing = [p.name for p in IMAGES[kind].packages if p.name not in text]
    assert missing == []
