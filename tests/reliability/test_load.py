"""bench/load.py at full size: 200 clients for 60 s against the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_under_load_the_emulator_answers_no_5xx_records_everything_and_stays_flat(
    tmp_path: Path,
) -> None:
    figures_file = tmp_path / "figures.json"
    command = ["bench/load.py", "--clients", "200", "--duration", "60", "--json"]
    done = subprocess.run(
        [sys.executable, *command, str(figures_file)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert figures_file.exists(), done.stdout + done.stderr
    figures = json.loads(figures_file.read_text())
    report = done.stdout
    assert figures["clients"] == 200 and figures["seconds"] >= 60, report
    # Every kind of request was sent, many times.
    assert set(figures["per_kind"]) == {
        "blocking invoke",
        "non-blocking invoke",
        "activation read",
        "web call",
        "listing",
    }
    assert min(figures["per_kind"].values()) >= 100, report
    assert figures["server_errors"] == 0, report
    assert figures["failures"] == 0, report
    assert figures["accepted"] > 0 and figures["missing"] == 0, report
    assert figures["recorded"] == figures["accepted"], report
    # Memory flat: at the end, within a generous bound of what it was after the warm-up.
    rss = figures["rss_mb"]
    assert rss["end"] <= rss["after warm-up"] * 1.5 + 64, report
    assert figures["memory_flat"], report
    assert done.returncode == 0, report
