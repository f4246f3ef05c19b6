"""Which files a deploy leaves out: the deployer's always-excluded names, and `.ignore` files
(gitignore syntax)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# SYSTEM_EXCLUDE_PATTERNS' substring tests (functions-deployer util.ts).
_EXCLUDED_SUBSTRINGS = (".nimbella", ".deployed", "_tmp_", ".#")


def is_system_excluded(relative: str) -> bool:
    """Whether the deployer always skips this path (relative to the project root, `/`-separated)."""
    parts = relative.split("/")
    name = parts[-1]
    return (
        name in (".gitignore", ".DS_Store")
        or ".git" in parts
        or any(marker in relative for marker in _EXCLUDED_SUBSTRINGS)
        or name.endswith(("~", ".swp", ".swx"))
    )


@dataclass(frozen=True, slots=True)
class _Rule:
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    """gitignore-style rules, as the `ignore` npm package applies them: a file is left out when
    it, or any directory above it, matches (a `!` rule cannot rescue a file in an ignored
    directory)."""

    rules: tuple[_Rule, ...] = ()

    @classmethod
    def parse(cls, lines: Iterable[str]) -> IgnoreRules:
        return cls(tuple(rule for line in lines if (rule := _parse_rule(line)) is not None))

    def ignores(self, relative: str) -> bool:
        """`relative`: a file's path under the function directory, `/`-separated."""
        parts = relative.split("/")
        return any(
            self._matches("/".join(parts[:depth]), is_directory=depth < len(parts))
            for depth in range(1, len(parts) + 1)
        )

    def _matches(self, path: str, *, is_directory: bool) -> bool:
        ignored = False
        for rule in self.rules:
            if (is_directory or not rule.directory_only) and rule.regex.match(path):
                ignored = not rule.negated
        return ignored


def _parse_rule(line: str) -> _Rule | None:
    pattern = line.strip()
    if not pattern or pattern.startswith("#"):
        return None
    negated = pattern.startswith("!")
    if negated or pattern.startswith(("\\!", "\\#")):
        pattern = pattern[1:]
    directory_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    if not pattern:
        return None
    # A slash anywhere but at the end ties the pattern to the directory of the .ignore file.
    anchored = "/" in pattern
    body = _glob_to_regex(pattern.lstrip("/"))
    prefix = "" if anchored else "(?:.*/)?"
    return _Rule(re.compile(f"^{prefix}{body}$"), negated, directory_only)


def _glob_to_regex(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i) and (i == 0 or glob[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i) and i + 2 == len(glob) and (i == 0 or glob[i - 1] == "/"):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and (close := glob.find("]", i + 2)) > 0:
            members = glob[i + 1 : close]
            negate = members.startswith(("!", "^"))
            members = members[1:] if negate else members
            members = re.sub(r"([\\\[])", r"\\\1", members)
            out.append(f"[{'^' if negate else ''}{members}]")
            i = close + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)
