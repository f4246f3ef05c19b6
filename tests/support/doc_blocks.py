"""The fenced blocks of README.md and docs/*.md, each named by the `<!-- test: ID -->` comment on
the line just before its fence, and the ways the documentation tests run them: as a script a
user pastes into bash, or as a command that serves in the foreground until it is stopped."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import REPO

DOCS = REPO / "docs"
# The pages whose blocks a user copies: every one of their blocks is run or loaded by a test.
PAGES = (REPO / "README.md", *sorted(DOCS.glob("*.md")))
SHELL = frozenset({"sh", "bash", "console", "shell"})
CONFIGURATION = frozenset({"yaml", "yml"})
# Output shown to the reader, never run; a test may still compare it with what a command printed.
OUTPUT = "text"
LANGUAGES = SHELL | CONFIGURATION | {OUTPUT, "python", "ini"}
# In an output block, `…` stands for any text within a line (an id, a time, a version).
ELLIPSIS = "…"

ID_COMMENT = re.compile(r"<!-- test: ([a-z0-9][a-z0-9-]*) -->")
_FENCE = re.compile(r"(?P<indent> *)(?P<ticks>`{3,})(?P<language>[^`\s]*)\s*")
# The virtualenv that runs the suite: its programs (functions-emulator, pytest) on PATH, as
# for a user who activated it.
VENV_BIN = str(Path(sys.executable).parent)


@dataclass(frozen=True, slots=True)
class Block:
    page: str  # relative to the repository root
    line: int  # of the opening fence, from 1
    language: str
    text: str
    id: str | None

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def read_blocks(path: Path) -> list[Block]:
    """Every fenced block of one page, in order, indented ones (in lists) dedented."""
    lines = path.read_text(encoding="utf-8").splitlines()
    page = str(path.relative_to(REPO))
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.fullmatch(lines[index])
        if opening is None:
            index += 1
            continue
        indent, ticks = len(opening["indent"]), opening["ticks"]
        end = index + 1
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        if end == len(lines):
            raise AssertionError(f"{page}:{index + 1}: a fence that is never closed")
        named = ID_COMMENT.fullmatch(lines[index - 1].strip()) if index else None
        body = [_dedent(line, indent) for line in lines[index + 1 : end]]
        found.append(
            Block(
                page=page,
                line=index + 1,
                language=opening["language"],
                text="\n".join(body) + "\n",
                id=named.group(1) if named else None,
            )
        )
        index = end + 1
    return found


def _dedent(line: str, indent: int) -> str:
    """`line` without the fence's indentation (a shorter one is all removed)."""
    kept = len(line) - len(line.lstrip(" "))
    return line[min(indent, kept) :]


def all_blocks() -> list[Block]:
    return [block for page in PAGES for block in read_blocks(page)]


def shell_blocks(page: Path) -> dict[str, str]:
    """A page's shell blocks by id (the docs coverage test sees that every one has an id)."""
    return {
        found.id: found.text
        for found in read_blocks(page)
        if found.language in SHELL and found.id is not None
    }


def unmarked_shell_blocks(page: Path) -> int:
    """How many shell blocks of `page` carry no `<!-- test: ID -->` line."""
    return sum(1 for found in read_blocks(page) if found.language in SHELL and found.id is None)


def block(block_id: str) -> Block:
    """The one block named `block_id`, wherever it now is."""
    named = [found for found in all_blocks() if found.id == block_id]
    if len(named) != 1:
        where = ", ".join(found.where for found in named) or "nowhere"
        raise AssertionError(f"block {block_id!r} is found {where}")
    return named[0]


def shell_lines(text: str) -> list[str]:
    """A script's commands, without comments and blank lines (for blocks run a line at a time)."""
    commands = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [command for command in commands if command and not command.startswith("#")]


def user_environment(**extra: str) -> dict[str, str]:
    """This process's environment with the suite's virtualenv first on PATH, plus `extra`."""
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", **extra}


def run_script(
    text: str, *, cwd: Path, env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`text` run by bash as pasted, except that the first failing command stops it."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", text],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_output(expected: Block, actual: str) -> None:
    """`actual` is what the output block shows, `…` standing for any text within a line."""
    assert expected.language == OUTPUT, expected.where
    pattern = "".join(
        "[^\n]*" if part == ELLIPSIS else re.escape(part)
        for part in re.split(f"({ELLIPSIS})", expected.text)
    )
    assert re.fullmatch(pattern, actual), f"{expected.where} shows\n{expected.text}\ngot\n{actual}"


class ForegroundScript:
    """A block whose last command serves until Ctrl-C (`make serve`, `functions-emulator
    serve`), run in its own session so that stopping it stops everything it started."""

    def __init__(self, text: str, *, cwd: Path, env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", text],
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.output = ""
        # Read as it comes: a full pipe would block the server.
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output += line

    def wait_ready(self, url: str, timeout: float = 120) -> None:
        """Until `url`/api/v1 answers; fails with the output when the script ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise AssertionError(f"the block ended early:\n{self.output}")
            try:
                with urllib.request.urlopen(url + "/api/v1", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"nothing listened at {url}:\n{self.output}")

    def stop(self) -> str:
        """Ctrl-C's signal's sibling, SIGTERM, to the whole session; SIGKILL if it lingers."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.output


@contextlib.contextmanager
def foreground(text: str, *, cwd: Path, env: Mapping[str, str]) -> Iterator[ForegroundScript]:
    script = ForegroundScript(text, cwd=cwd, env=env)
    try:
        yield script
    finally:
        script.stop()
