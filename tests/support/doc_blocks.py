"""The copyable shell blocks of a docs page, each marked `<!-- test: ID -->` on the line before
its fence, read as the tests run them: exactly as written."""

from __future__ import annotations

import re
from pathlib import Path

_BLOCK = re.compile(r"^<!-- test: ([\w-]+) -->\n```(?:sh|bash)\n(.*?)^```$", re.M | re.S)
_FENCE = re.compile(r"^```(?:sh|bash)$", re.M)


def shell_blocks(page: Path) -> dict[str, str]:
    """ID → the block's text; every shell block of the page must be marked."""
    text = page.read_text()
    blocks = {match[1]: match[2] for match in _BLOCK.finditer(text)}
    fences = len(_FENCE.findall(text))
    assert fences == len(blocks), f"{page}: {fences - len(blocks)} shell blocks have no test id"
    return blocks
