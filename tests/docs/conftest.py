"""The servers a documentation page's blocks run against: one per page, shared by its tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.doc_blocks import block
from tests.support.paths import SAMPLE_PROJECT
from tests.support.servers import ServerProcess, served

REPORT = """def main(event):
    print(f"report {event['report']}")
    return {"report": event["report"]}
"""


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The sample project, served as `make serve` serves it, with its own records."""
    with served(SAMPLE_PROJECT, tmp_path_factory.mktemp("docs")) as server:
        yield server


@pytest.fixture(scope="module")
def trigger_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project of docs/development.md's scheduled trigger: its project.yml, as the page
    shows it, and the function it names."""
    root = tmp_path_factory.mktemp("trigger-project")
    (root / "project.yml").write_text(block("development-trigger-project").text)
    function = root / "packages" / "reports" / "daily.py"
    function.parent.mkdir(parents=True)
    function.write_text(REPORT)
    return root


@pytest.fixture(scope="module")
def trigger_server(
    trigger_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    with served(trigger_project, tmp_path_factory.mktemp("docs")) as server:
        yield server
