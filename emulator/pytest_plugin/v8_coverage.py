"""Node.js functions' coverage: the V8 block coverage that NODE_V8_COVERAGE writes, read back
as the lines of each function file that ran."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

# Lines that are no statement: nothing runs there.
_NOT_CODE = ("//", "/*", "*", "*/")


@dataclass(frozen=True, slots=True)
class FileLines:
    """One file's executable lines, and those of them that ran (1-based numbers)."""

    path: Path
    lines: frozenset[int]
    covered: frozenset[int]

    @property
    def missing(self) -> list[int]:
        return sorted(self.lines - self.covered)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.covered) / len(self.lines) if self.lines else 100.0


def read_folder(folder: Path, root: Path) -> list[FileLines]:
    """The coverage of the files under `root` (not node_modules) in every V8 coverage file
    of `folder`, merged across the processes that wrote them."""
    covered: dict[Path, set[int]] = {}
    lines: dict[Path, frozenset[int]] = {}
    for report in sorted(folder.glob("coverage-*.json")):
        try:
            scripts = json.loads(report.read_text(encoding="utf-8"))["result"]
        except (OSError, ValueError, KeyError):
            continue  # a process killed while writing
        for script in scripts:
            path = _project_file(script.get("url", ""), root)
            if path is None:
                continue
            source = path.read_text(encoding="utf-8", errors="replace")
            lines.setdefault(path, executable_lines(source))
            covered.setdefault(path, set()).update(ran_lines(source, script["functions"]))
    return [
        FileLines(path, lines[path], frozenset(covered[path] & lines[path]))
        for path in sorted(lines)
    ]


def executable_lines(source: str) -> frozenset[int]:
    return frozenset(
        number
        for number, line in enumerate(source.splitlines(), start=1)
        if line.strip() and not line.strip().startswith(_NOT_CODE)
    )


def ran_lines(source: str, functions: Iterable[dict[str, Any]]) -> set[int]:
    """Lines whose first character's innermost range ran at least once."""
    ranges = sorted(
        ((r["startOffset"], r["endOffset"], r["count"]) for f in functions for r in f["ranges"]),
        key=lambda r: (r[0], -r[1]),
    )
    ran: set[int] = set()
    offset = 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = len(line) - len(line.lstrip())
        if line.strip() and _count_at(ranges, offset + stripped) > 0:
            ran.add(number)
        offset += len(line)
    return ran


def _count_at(ranges: list[tuple[int, int, int]], offset: int) -> int:
    """The count of the innermost range around `offset` (ranges nest: the last that starts
    before it and still covers it is the innermost)."""
    count = 0
    for start, end, hits in ranges:
        if start > offset:
            break
        if offset < end:
            count = hits
    return count


def _project_file(url: str, root: Path) -> Path | None:
    if not url.startswith("file://"):
        return None
    path = Path(unquote(urlparse(url).path))
    try:
        relative = path.relative_to(root)
    except ValueError:
        return None
    if "node_modules" in relative.parts or relative.parts[:1] == (".emulator",):
        return None
    return path if path.is_file() else None
