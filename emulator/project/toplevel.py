"""A project folder's top level as the deployer reads it (functions-deployer project-reader.ts
`readTopLevel`): which configuration file counts, the deployer's warnings about it, and the
strays, everything else there, which a deploy ignores."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from emulator.project.exclusions import is_system_excluded
from emulator.project.layout import PACKAGES_DIR

CONFIG_FILE = "project.yml"
LEGACY_CONFIG_FILE = "projectConfig.yml"
LIB_DIR = "lib"
ENV_FILE = ".env"
LEGACY_WARNING = (
    f"Warning: the name '{LEGACY_CONFIG_FILE}' is deprecated; please rename to '{CONFIG_FILE}' soon"
)
IGNORED = "Ignored (not part of a DigitalOcean Functions project)"
# Directories that are not strays: what a deploy reads, what it skips on purpose, and the
# emulator's own: its state, and `tests/`, where the pytest plugin's users keep the project's
# tests (a deploy leaves it out as it leaves out any folder; naming it at each start is noise).
_KNOWN_DIRECTORIES = frozenset(
    {PACKAGES_DIR, LIB_DIR, ".nimbella", ".deployed", ".emulator", "tests"}
)


@dataclass(frozen=True, slots=True)
class TopLevel:
    config_file: Path | None  # the configuration a deploy reads; None: the folders say it all
    warnings: tuple[str, ...]  # the deployer's about the configuration, then the strays line


def config_file_in(folder: Path) -> Path | None:
    """The configuration file of a project folder: `project.yml`, else the legacy
    `projectConfig.yml`, else (when the folder has `packages/`) a `project.yml` that does not
    exist, since the deployer needs none. None: the folder is not a project."""
    for name in (CONFIG_FILE, LEGACY_CONFIG_FILE):
        if (folder / name).is_file():
            return folder / name
    return folder / CONFIG_FILE if (folder / PACKAGES_DIR).is_dir() else None


def read_top_level(config_file: Path, *, env_file: Path | None = None) -> TopLevel:
    """What the folder of `config_file` (resolved) holds. A missing `config_file` means the
    deployer's own choice: `projectConfig.yml` if there is one, else no configuration."""
    chosen = config_file if config_file.is_file() else None
    root = config_file.resolve().parent
    if chosen is None and (root / LEGACY_CONFIG_FILE).is_file():
        chosen = root / LEGACY_CONFIG_FILE
    warnings: list[str] = []
    if chosen is not None and chosen.name == LEGACY_CONFIG_FILE:
        warnings.append(LEGACY_WARNING)
    other = _other_yaml(root)
    if chosen is None and other is not None:
        warnings.append(f"Warning: found {other} but no {CONFIG_FILE}")
    strays = _strays(root, {path.resolve() for path in (chosen, env_file) if path is not None})
    if strays:
        warnings.append(f"{IGNORED}: {', '.join(strays)}")
    return TopLevel(chosen, tuple(warnings))


def _strays(root: Path, used: set[Path]) -> list[str]:
    """Every top-level entry a deploy does not read, directories with a trailing `/`, then the
    files directly in `packages/` (only its directories are packages)."""
    strays = [
        f"{entry.name}/" if entry.is_dir() else entry.name
        for entry in _entries(root)
        if not _is_read(entry, used)
    ]
    packages = root / PACKAGES_DIR
    if packages.is_dir():
        strays += [
            f"{PACKAGES_DIR}/{entry.name}"
            for entry in _entries(packages)
            if not entry.is_dir() and not entry.name.startswith(".")
        ]
    return strays


def _is_read(entry: Path, used: set[Path]) -> bool:
    if entry.is_dir():
        return entry.name in _KNOWN_DIRECTORIES
    # `.env` is a substitution source (or, with `--env`, shadowed by it): never a stray.
    return entry.name == ENV_FILE or entry.resolve() in used


def _other_yaml(folder: Path) -> str | None:
    """The YAML file the deployer names in `found X but no project.yml`: its last one."""
    names = [entry.name for entry in _entries(folder) if _is_other_yaml(entry)]
    return names[-1] if names else None


def _is_other_yaml(entry: Path) -> bool:
    return (
        entry.name not in (CONFIG_FILE, LEGACY_CONFIG_FILE)
        and entry.name.endswith((".yml", ".yaml"))
        and not entry.is_dir()
    )


def _entries(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return sorted(entry for entry in folder.iterdir() if not is_system_excluded(entry.name))
