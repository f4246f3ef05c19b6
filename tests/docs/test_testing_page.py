"""docs/testing.md: its example is the sample project's own test, and pytest runs that suite
with the plugin, as the page shows."""

from __future__ import annotations

from pathlib import Path

from tests.support.doc_blocks import assert_output, block, run_script, user_environment
from tests.support.paths import REPO, SAMPLE_PROJECT


def test_the_example_is_one_of_the_sample_projects_tests():
    # So that the suite, which runs sample-project/tests, runs the example as written.
    example = block("testing-example")
    assert example.language == "python"
    assert example.text in (SAMPLE_PROJECT / "tests" / "test_sample_greetings.py").read_text()


def test_pytest_runs_the_sample_projects_suite(tmp_path: Path):
    # The outer run's options would reach the inner pytest through the environment.
    env = user_environment(PYTEST_ADDOPTS="-p no:cacheprovider")
    done = run_script(block("testing-run").text, cwd=REPO, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_output(block("testing-run-output"), done.stdout)
