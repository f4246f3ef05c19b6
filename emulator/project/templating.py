"""Substitution in the raw text of project.yml, before it is parsed (`${NAME}`, `$(A B)`,
`${<file}`), exactly as the deployer does it."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.project.envfile import read_properties
from emulator.project.jsvalues import is_dictionary, is_falsy, stringify
from emulator.project.project_error import ProjectError

DEPRECATED_BRACES = "Using '${}' for dictionary substitution is now deprecated; use '$()'"
RUNAWAY = "Runaway variable name or path directive in project.yml"

_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Substituted:
    text: str
    unresolved: tuple[str, ...]  # names that had no value, or an empty one
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Sources:
    root: Path
    environ: Mapping[str, str]
    properties: Mapping[str, Any]

    def lookup(self, name: str) -> Any:
        # The deployer's `process.env[name] || props[name]`: an empty variable falls through.
        value = self.environ.get(name)
        return value if not is_falsy(value) else self.properties.get(name)


def substitute(
    text: str, *, root: Path, environ: Mapping[str, str], properties: Any
) -> Substituted:
    """`text` with every symbol replaced; unresolved ones become `<NAME>` and are listed."""
    sources = _Sources(root, environ, properties if is_dictionary(properties) else {})
    out: list[str] = []
    unresolved: list[str] = []
    deprecated = False
    rest = text
    while (found := _next_symbol(rest)) is not None:
        start, terminator = found
        end = rest.find(terminator, start + 2)
        if end < 0:
            raise ProjectError(RUNAWAY)
        symbol = rest[start + 2 : end].strip()
        if terminator == ")" or _WHITESPACE.search(symbol):
            deprecated = deprecated or terminator != ")"
            value = _dictionary(symbol, sources, unresolved)
        else:
            value = _single(symbol, sources, unresolved)
        out += [rest[:start], value]
        rest = rest[end + 1 :]
    out.append(rest)
    warnings = (DEPRECATED_BRACES,) if deprecated else ()
    return Substituted("".join(out), tuple(unresolved), warnings)


def _next_symbol(text: str) -> tuple[int, str] | None:
    """Where the next `${` or `$(` starts, and the character that ends it."""
    starts = [(i, end) for i, end in ((text.find("${"), "}"), (text.find("$("), ")")) if i >= 0]
    return min(starts) if starts else None


def _single(symbol: str, sources: _Sources, unresolved: list[str]) -> str:
    escape_newlines = True
    if symbol.startswith("<"):
        value: Any = _file_substitute(sources.root, symbol[1:].strip())
    else:
        if symbol.startswith("|"):
            symbol = symbol[1:].strip()
            escape_newlines = False
        value = sources.lookup(symbol)
    if is_falsy(value):
        unresolved.append(symbol)
        return f"<{symbol}>"
    text = value if isinstance(value, str) else stringify(value)
    # Values land inside YAML strings, so a newline must become the two characters `\n`.
    return text.replace("\n", "\\n") if escape_newlines else text


def _dictionary(symbols: str, sources: _Sources, unresolved: list[str]) -> str:
    entries: dict[str, Any] = {}
    for name in re.split(r"\s+", symbols):
        value = sources.lookup(name)
        if is_falsy(value):
            unresolved.append(name)
            value = f"<{name}>"
        entries[name] = value
    return stringify(entries)


def _file_substitute(root: Path, relative: str) -> str | None:
    # Node's `path.join`: an absolute-looking path still lands under the project root.
    path = Path(os.path.normpath(f"{root}/{relative}"))
    if not path.exists():
        return None
    text = stringify(read_properties(path))
    return None if text == "{}" else text
