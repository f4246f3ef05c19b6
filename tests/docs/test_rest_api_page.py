"""docs/rest-api.md: the forms of the key, and a deploy through the API, as the page shows."""

from __future__ import annotations

from pathlib import Path

from tests.support.doc_blocks import assert_output, block, run_script, user_environment
from tests.support.servers import ServerProcess


def test_each_form_of_the_key_is_accepted_and_no_key_is_refused(
    sample_server: ServerProcess, tmp_path: Path
):
    done = run_script(
        block("api-credentials").text,
        cwd=tmp_path,
        env=user_environment(APIHOST=sample_server.url),
    )
    assert done.returncode == 0, done.stderr
    assert_output(block("api-credentials-output"), done.stdout)


def test_a_function_deployed_through_the_api_runs_then_goes(
    sample_server: ServerProcess, tmp_path: Path
):
    done = run_script(
        block("api-deploy").text, cwd=tmp_path, env=user_environment(APIHOST=sample_server.url)
    )
    assert done.returncode == 0, done.stderr
    assert_output(block("api-deploy-output"), done.stdout)
    status, _ = sample_server.request("GET", "/api/v1/namespaces/_/actions/shout")
    assert status == 404
