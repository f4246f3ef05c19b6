"""docs/limits.md: bad input gets the platform's messages, and the limits route shows the
throttles in force, as the page shows them."""

from __future__ import annotations

from pathlib import Path

from tests.support.doc_blocks import assert_output, block, run_script, user_environment
from tests.support.servers import ServerProcess


def test_bad_input_gets_the_platforms_messages(sample_server: ServerProcess, tmp_path: Path):
    done = run_script(
        block("limits-bad-input").text,
        cwd=tmp_path,
        env=user_environment(APIHOST=sample_server.url),
    )
    assert done.returncode == 0, done.stderr
    assert_output(block("limits-bad-input-output"), done.stdout)
    # It changed nothing: no activation was recorded.
    assert sample_server.request("GET", "/api/v1/namespaces/_/activations") == (200, [])


def test_the_limits_route_shows_the_throttles_in_force(
    sample_server: ServerProcess, tmp_path: Path
):
    done = run_script(
        block("limits-namespace").text,
        cwd=tmp_path,
        env=user_environment(APIHOST=sample_server.url),
    )
    assert done.returncode == 0, done.stderr
    assert_output(block("limits-namespace-output"), done.stdout)
