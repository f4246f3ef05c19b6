"""The benchmark suite, run with tiny counts against the real emulator so that it cannot rot.
Nothing here looks at how fast anything was: only that every scenario measured and reported."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = (
    "1 warm invoke, 1 client",
    "2 warm invoke, 2 clients",
    "3 web GET, 1 client",
    "4 cold start after a code change",
    "5 fan-out, non-blocking",
    "6 store at 2,000 records",
    "7 hot reload, write to new result",
    "8 memory (RSS)",
    "9 serve start to API answer",
    "10 CLI command start",
    "12 pytest plugin fixtures",
)
PER_RUNTIME = ("python", "node")
TARGET_STATUSES = {"met", "MISSED", "not measured"}
PEERS_LEFT_OUT = {"functions-framework", "serverless-offline", "aio app dev"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, dict[str, object]]:
    """One quick run of the whole suite: its stdout, its RESULTS.md and its JSON figures."""
    out = tmp_path_factory.mktemp("bench")
    argv = [sys.executable, "bench/suite.py", "--quick", "--no-peers"]
    argv += ["--runtimes", ",".join(PER_RUNTIME)]
    argv += ["--results", str(out / "RESULTS.md"), "--json", str(out / "figures.json")]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stdout + done.stderr
    return (
        done.stdout,
        (out / "RESULTS.md").read_text(),
        json.loads((out / "figures.json").read_text()),
    )


@pytest.mark.slow
def test_the_quick_suite_prints_a_row_for_every_scenario(quick_run):
    stdout, _, _ = quick_run
    table = [line for line in stdout.splitlines() if line[:1].isdigit()]
    for scenario in SCENARIOS:
        assert any(line.startswith(scenario) for line in table), scenario
    for scenario in SCENARIOS[:4] + SCENARIOS[6:7]:
        for runtime in PER_RUNTIME:
            assert any(line.startswith(scenario) and f" {runtime} " in line for line in table)


@pytest.mark.slow
def test_every_figure_was_measured_and_every_target_judged(quick_run):
    _, _, report = quick_run
    figures = report["figures"]
    assert {figure["scenario"] for figure in figures} == set(SCENARIOS)
    for figure in figures:
        assert isinstance(figure["value"], int | float), figure
        assert not math.isnan(figure["value"]), figure
    assert report["failures"] == []


@pytest.mark.slow
def test_results_markdown_has_the_machine_and_one_table_row_per_figure(quick_run):
    _, results, report = quick_run
    assert results.startswith("# Benchmark results\n")
    for heading in ("## Machine", "## Figures", "## Targets missed", "## What was tried"):
        assert f"\n{heading}\n" in results
    for fact in ("- CPU: ", "- RAM: ", "- Kernel: ", "- Python ", "- Date: "):
        assert fact in results
    rows = [line for line in results.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(report["figures"])
    header = next(line for line in results.splitlines() if line.startswith("| scenario"))
    assert header.count("|") == rows[0].count("|")
    for row, figure in zip(rows, report["figures"], strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[:2] == [figure["scenario"], figure["name"]]
        if figure["target"] is not None:
            assert cells[4] in TARGET_STATUSES


@pytest.mark.slow
def test_peers_left_out_are_said_to_be_skipped(quick_run):
    _, results, report = quick_run
    assert "functions-framework: skipped (--no-peers)" in results
    assert "serverless-offline: skipped (--no-peers)" in results
    assert "aio app dev: skipped (--no-peers)" in results
    # The targets that are ratios to a peer left out cannot be judged.
    judged_against_them = [
        figure
        for figure in report["figures"]
        if figure["target"]
        and any(bound["peer"] in PEERS_LEFT_OUT for bound in figure["target"]["bounds"])
    ]
    assert {figure["name"] for figure in judged_against_them} == {
        "python p50",
        "python p99",
        "python invokes/s",
    }
    rows = {
        tuple(cell.strip() for cell in line.strip("|").split("|")[:5])
        for line in results.splitlines()
        if line.startswith("| ") and line[2].isdigit()
    }
    for figure in judged_against_them:
        assert any(
            row[:2] == (figure["scenario"], figure["name"]) and row[4] == "not measured"
            for row in rows
        ), figure
