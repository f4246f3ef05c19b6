"""The copyable shell blocks of the docs pages: each follows a `<!-- test: ID -->` line, and a
test runs exactly its text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

DOCS = REPO / "docs"
_SHELL_FENCE = re.compile(r"^```(?:sh|bash|shell)\s*$", re.MULTILINE)
_MARKED = re.compile(r"^<!-- test: ([\w-]+) -->\n```(?:sh|bash|shell)\n(.*?)^```", re.S | re.M)


def shell_blocks(page: str) -> dict[str, str]:
    """The page's shell blocks by id; every one must have its id line."""
    text = (DOCS / page).read_text()
    blocks = {found[1]: found[2] for found in _MARKED.finditer(text)}
    fences = len(_SHELL_FENCE.findall(text))
    assert fences == len(blocks), f"docs/{page}: a shell block without a <!-- test: ID --> line"
    return blocks


def block_environment(**extra: str) -> dict[str, str]:
    """This environment, with this virtualenv's commands first on PATH (as an activated one)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, **extra}


def run_block(
    block: str, *, cwd: Path, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """Run the block in bash as a user would paste it; a failing line fails it."""
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_block(block: str, *, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start a block that runs until stopped (`serve`), its output on one pipe."""
    return subprocess.Popen(
        ["bash", "-c", f"exec {block.strip()}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
