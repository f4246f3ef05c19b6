"""docs/web-functions.md: its calls of the sample project's web functions print what it shows."""

from __future__ import annotations

from pathlib import Path

from tests.support.doc_blocks import assert_output, block, run_script, user_environment
from tests.support.servers import ServerProcess


def test_the_web_calls_print_what_the_page_shows(sample_server: ServerProcess, tmp_path: Path):
    done = run_script(
        block("web-calls").text, cwd=tmp_path, env=user_environment(APIHOST=sample_server.url)
    )
    assert done.returncode == 0, done.stderr
    assert_output(block("web-calls-output"), done.stdout)
