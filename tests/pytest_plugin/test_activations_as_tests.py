"""`activations to-test`: recorded activations written down as a user's pytest tests, which
pass against the unchanged functions and fail, with a diff, against a changed one."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from emulator.cli.main import main
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, WEB

RUFF = Path(sys.executable).parent / "ruff"
SOURCES = FIXTURE_PROJECTS / "replay"


def _project_files() -> dict[str, str]:
    return {
        str(path.relative_to(SOURCES)): path.read_text()
        for path in SOURCES.rglob("*")
        if path.is_file()
    }


def _to_test(port: int, activation_id: str, out: Path) -> str:
    written = CliRunner().invoke(
        main, ["activations", "to-test", activation_id, "--out", str(out), "--port", str(port)]
    )
    assert written.exit_code == 0, written.output
    return out.read_text()


def test_recorded_activations_become_tests_that_pass_then_fail_when_the_function_changes(
    user_project: Any, serve: Any
):
    user_project.write(_project_files())
    tests = user_project.path / "tests"
    server = serve(user_project.path)
    # 1. a plain call with a secret among its parameters, an application error, a web call
    _, plain = server.request(
        "POST", f"{ACTIONS}/calc/add?blocking=true", {"a": 2, "b": 3, "api_token": "s3cret"}
    )
    _, failed = server.request("POST", f"{ACTIONS}/calc/add?blocking=true", {"a": "two"})
    assert failed["response"]["status"] == "application error"
    web = urllib.request.urlopen(
        urllib.request.Request(
            f"{server.url}{WEB}/calc/echo/orders?name=Ada",
            data=b"",
            method="POST",
            headers={"X-Client": "curl"},
        ),
        timeout=60,
    ).headers
    written = {
        "plain": _to_test(server.port, plain["activationId"], tests / "test_add.py"),
        "error": _to_test(server.port, failed["activationId"], tests / "test_add_error.py"),
        "web": _to_test(server.port, web["x-openwhisk-activation-id"], tests / "test_echo.py"),
    }
    server.stop()

    # 2. readable, ruff-clean, and the secret is not in it
    assert "s3cret" not in written["plain"]
    assert "# A secret: the recorded value is not kept here." in written["plain"]
    assert 'functions_emulator.invoke("calc/add", PARAMS)' in written["plain"]
    assert 'assert activation.status == "application error"' in written["error"]
    assert "assert response.status == 201" in written["web"]
    assert 'assert response.header("Content-Type") == "application/json"' in written["web"]
    for check in (["check"], ["format", "--check", "--diff"]):
        linted = subprocess.run(
            [str(RUFF), *check, "--isolated", str(tests)], capture_output=True, text=True
        )
        assert linted.returncode == 0, linted.stdout + linted.stderr

    # 3. they pass against the functions as they are
    user_project.run_tests("tests").assert_outcomes(passed=3)

    # 4. a changed function fails its test, with the difference
    source = user_project.path / "packages" / "calc" / "add.py"
    source.write_text(source.read_text().replace('"sum": total', '"sum": total * 10'))
    result = user_project.run_tests("tests")
    result.assert_outcomes(passed=2, failed=1)
    output = result.stdout.str()
    assert "assert activation.result == {" in output
    assert "{'sum': 50} != {'sum': 5}" in output
