"""Where the repository's projects are."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE_PROJECTS = REPO / "tests" / "fixtures" / "projects"
SAMPLE_PROJECT = REPO / "sample-project"
# The functions of the sample project's `sample` package, as a deploy of it lists them.
SAMPLE_FUNCTIONS = (
    "duration",
    "greet",
    "hello",
    "hello-go",
    "hello-node",
    "hello-php",
    "jokes",
    "message",
    "page",
    "secret",
    "sleep",
    "webhook",
)
