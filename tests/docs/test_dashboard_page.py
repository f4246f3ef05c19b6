"""docs/dashboard.md: a browser asking for `/` is sent to the dashboard, an API client is not."""

from __future__ import annotations

from pathlib import Path

from tests.support.doc_blocks import assert_output, block, run_script, user_environment
from tests.support.servers import ServerProcess


def test_browsers_are_sent_to_the_dashboard_and_clients_get_json(
    sample_server: ServerProcess, tmp_path: Path
):
    done = run_script(
        block("dashboard-root").text, cwd=tmp_path, env=user_environment(APIHOST=sample_server.url)
    )
    assert done.returncode == 0, done.stderr
    # The page shows the default address; the server here listens on another port.
    assert_output(
        block("dashboard-root-output"),
        done.stdout.replace(sample_server.url, "http://127.0.0.1:3233"),
    )
