"""Property files for substitution (`.env`, `--env`, `${<path}`): JSON if valid, else dotenv."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# The `dotenv` npm package's line grammar (v16), which the deployer parses with.
_LINE = re.compile(
    r"^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)"
    r"(\s*'(?:\\'|[^'])*'|\s*\"(?:\\\"|[^\"])*\"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?"
    r"\s*(?:#.*)?$",
    re.MULTILINE,
)
_QUOTED = re.compile(r"^(['\"`])([\s\S]*)\1$")


def parse_properties(text: str) -> Any:
    """The file's JSON value if it is JSON, else its dotenv entries (never raises)."""
    try:
        return json.loads(text)
    except ValueError:
        return parse_dotenv(text)


def parse_dotenv(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for match in _LINE.finditer(re.sub(r"\r\n?", "\n", text)):
        value = (match.group(2) or "").strip()
        quote = value[:1]
        value = _QUOTED.sub(r"\2", value)
        if quote == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
        entries[match.group(1)] = value
    return entries


def read_properties(path: Path) -> Any:
    """`parse_properties` of the file; a file that cannot be read has no properties."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    return parse_properties(text)
