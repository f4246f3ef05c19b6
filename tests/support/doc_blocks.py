"""The shell blocks of a documentation page, each marked for the test that runs it.

A block is the fenced ```sh block on the lines right after `<!-- test: NAME -->`; a test
reads it from the page and runs exactly that text."""

from __future__ import annotations

import re
from pathlib import Path

_MARKED = re.compile(r"<!-- test: ([\w-]+) -->\n```sh\n(.*?)\n```", re.DOTALL)
_SHELL = re.compile(r"^```sh$", re.MULTILINE)


def shell_blocks(page: Path) -> dict[str, str]:
    """NAME → the block's text, for every marked block of `page`."""
    return dict(_MARKED.findall(page.read_text(encoding="utf-8")))


def unmarked_shell_blocks(page: Path) -> int:
    """How many ```sh blocks of `page` carry no test marker."""
    text = page.read_text(encoding="utf-8")
    return len(_SHELL.findall(text)) - len(_MARKED.findall(text))
