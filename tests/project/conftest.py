"""Small projects written to tmp_path, and load_project (then build_project) with test
defaults."""

from __future__ import annotations

import asyncio
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest

from emulator.project import Project, build_project, load_project
from emulator.project.project_error import ProjectError

NAMESPACE = "fn-test"


class MakeProject(Protocol):
    def __call__(self, files: Mapping[str, str]) -> Path:
        """Write `files` under tmp_path (a name ending in `/` is an empty directory; a
        `build.sh` is executable, as its author would make it) and return the path of
        project.yml, whether or not `files` has one."""
        ...


class Load(Protocol):
    def __call__(self, files: Mapping[str, str], **options: Any) -> Project: ...


class Refused(Protocol):
    def __call__(self, files: Mapping[str, str], **options: Any) -> ProjectError: ...


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    def make(files: Mapping[str, str]) -> Path:
        for name, text in files.items():
            path = tmp_path / name
            if name.endswith("/"):
                path.mkdir(parents=True, exist_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
            if path.name == "build.sh":
                path.chmod(0o755)
        return tmp_path / "project.yml"

    return make


def _load(config_file: Path, options: dict[str, Any]) -> Project:
    options.setdefault("namespace", NAMESPACE)
    options.setdefault("environ", {})
    return load_project(config_file, **options)


def _serve_ready(config_file: Path, options: dict[str, Any]) -> Project:
    return asyncio.run(build_project(_load(config_file, options), environ=os.environ))


@pytest.fixture
def load(make_project: MakeProject) -> Load:
    """The project made of `files`, loaded, then built and staged as the emulator serves it."""
    return lambda files, **options: _serve_ready(make_project(files), options)


@pytest.fixture
def refused(make_project: MakeProject) -> Refused:
    """The ProjectError that loading a project made of `files` raises (it names project.yml)."""

    def refuse(files: Mapping[str, str], **options: Any) -> ProjectError:
        config_file = make_project(files)
        with pytest.raises(ProjectError) as caught:
            _load(config_file, options)
        assert caught.value.file == str(config_file)
        return caught.value

    return refuse
