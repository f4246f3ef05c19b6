"""Copies of function code under `<root>/.emulator/staged/`: planned while the project loads,
made only once the whole project is known to be valid."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

STAGED_DIR = Path(".emulator") / "staged"


@dataclass(frozen=True, slots=True)
class Copy:
    source: Path
    target: Path


@dataclass(frozen=True, slots=True)
class Unzip:
    archive: Path
    target: Path  # a directory


Step = Copy | Unzip


def staging_dir(root: Path, package: str, function: str) -> Path:
    return root / STAGED_DIR / package / function


def stage(root: Path, steps: Iterable[Step]) -> None:
    """Recreate `<root>/.emulator/staged` with exactly these copies."""
    staged = root / STAGED_DIR
    shutil.rmtree(staged, ignore_errors=True)
    for step in steps:
        if isinstance(step, Copy):
            step.target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(step.source, step.target)
        else:
            step.target.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(step.archive) as archive:
                archive.extractall(step.target)
