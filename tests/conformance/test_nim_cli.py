"""The real `nim` CLI (4.2.8) against `functions-emulator serve`: login, deploy, invoke, records.

The tests of this module run in order, as a user types the commands: each builds on the state
the ones before it left (the deployed project, the activations).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.clients import NODE_MODULES, PROJECTS, client_environment
from tests.support.paths import SAMPLE_PROJECT
from tests.support.routes import NAMESPACE
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.slow

PACKAGE = "conformance"
FUNCTIONS = ("hello", "hellopy", "multi")
ACTIVATION_ID = re.compile(r"\b[0-9a-f]{32}\b")
NIM_TIMEOUT = 120

Nim = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nim-home")


@pytest.fixture(scope="module")
def nim(home: Path) -> Nim:
    """Run `nim ARGS` with a throwaway NIMBELLA_DIR and HOME."""
    env = client_environment(home, NIMBELLA_DIR=str(home / ".nimbella"))

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(NODE_MODULES / ".bin" / "nim"), *args],
            env=env,
            cwd=home,
            capture_output=True,
            text=True,
            timeout=NIM_TIMEOUT,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"nim {' '.join(args)}:\n{done.stdout}{done.stderr}"
        return done

    return run


@pytest.fixture(scope="module")
def logged_in(nim: Nim, emulator: ServerProcess, auth: str) -> subprocess.CompletedProcess[str]:
    return nim("auth", "login", "--apihost", emulator.url, "--auth", auth)


@pytest.fixture(scope="module")
def deployed(nim: Nim, logged_in: Any, home: Path) -> subprocess.CompletedProcess[str]:
    """`nim project deploy` of a copy: the deployer writes its zips into the project."""
    project = shutil.copytree(PROJECTS / "deploy", home / "deploy")
    return nim("project", "deploy", str(project))


def json_output(done: subprocess.CompletedProcess[str]) -> Any:
    """The JSON nim prints, after any heading line such as `nim action get`'s name."""
    start = re.search(r"^\s*[{\[]", done.stdout, re.MULTILINE)
    assert start, f"no JSON in {done.stdout!r}"
    return json.loads(done.stdout[start.start() :])


def result(nim: Nim, function: str, *params: str) -> Any:
    return json_output(nim("action", "invoke", f"{PACKAGE}/{function}", "-r", *params))


@pytest.fixture(scope="module")
def async_id(nim: Nim, deployed: Any) -> str:
    """A non-blocking invoke of hello, once its record is stored (404 until then)."""
    started = json_output(nim("action", "invoke", f"{PACKAGE}/hello", "-p", "name", "Async"))
    activation_id: str = started["activationId"]
    deadline = time.monotonic() + 10
    while nim("activation", "get", activation_id, check=False).returncode != 0:
        assert time.monotonic() < deadline, f"activation {activation_id} was never stored"
        time.sleep(0.25)
    return activation_id


def test_login_stores_the_emulator_credentials(
    logged_in: subprocess.CompletedProcess[str], emulator: ServerProcess, auth: str, home: Path
) -> None:
    assert logged_in.stdout.strip() == (
        f"Stored a credential set for namespace '{NAMESPACE}' on host '{emulator.url}'"
    )
    credentials = json.loads((home / ".nimbella" / "credentials.json").read_text())
    assert credentials["currentHost"] == emulator.url
    assert credentials["credentials"][emulator.url][NAMESPACE]["api_key"] == auth


def test_project_deploy_deploys_each_function(
    deployed: subprocess.CompletedProcess[str], emulator: ServerProcess
) -> None:
    assert f"to namespace '{NAMESPACE}'" in deployed.stdout
    assert f"on host '{emulator.url}'" in deployed.stdout
    assert "Deployed actions" in deployed.stdout
    for function in FUNCTIONS:
        assert f"  - {PACKAGE}/{function}\n" in deployed.stdout
    assert "Failures" not in deployed.stdout + deployed.stderr


def test_action_list_shows_deployed_and_served_functions(nim: Nim, deployed: Any) -> None:
    listed = nim("action", "list").stdout
    for function in FUNCTIONS:
        assert f"{PACKAGE}/{function}" in listed
    assert "served/ping" in listed


def test_action_get_shows_the_zipped_directory_function(nim: Nim, deployed: Any) -> None:
    action = json_output(nim("action", "get", f"{PACKAGE}/multi"))
    assert action["name"] == "multi"
    assert action["namespace"] == f"{NAMESPACE}/{PACKAGE}"
    assert action["exec"]["kind"] == "nodejs:18"
    assert action["exec"]["binary"] is True
    assert action["exec"]["main"] == "handler"
    annotations = {a["key"]: a["value"] for a in action["annotations"]}
    assert annotations["web-export"] is True
    assert annotations["final"] is True
    assert annotations["deployer"]["zipped"] is True


@pytest.mark.parametrize(
    ("function", "body"),
    [
        ("hello", "Hello Sam!"),
        ("hellopy", "Hello Sam from Python!"),
        ("multi", "Hello Sam from a zipped directory!"),
    ],
)
def test_invoke_result_runs_each_deployed_function(
    nim: Nim, deployed: Any, function: str, body: str
) -> None:
    # `Sam` is the package parameter, `Hello` the package environment (an init parameter).
    assert result(nim, function) == {"body": body}


def test_invoke_result_passes_parameters(nim: Nim, deployed: Any) -> None:
    assert result(nim, "hellopy", "-p", "name", "Ada") == {"body": "Hello Ada from Python!"}


def test_invoke_b_prints_the_full_record(nim: Nim, deployed: Any) -> None:
    record = json_output(nim("action", "invoke", f"{PACKAGE}/hello", "-b"))
    assert ACTIVATION_ID.fullmatch(record["activationId"])
    assert record["name"] == "hello"
    assert record["response"]["success"] is True
    assert record["response"]["result"] == {"body": "Hello Sam!"}
    # As on the platform, the blocking answer comes before the logs are collected.
    assert record["logs"] == []
    logs = nim("activation", "logs", record["activationId"]).stdout
    assert "stdout: greeting Sam" in logs


def test_invoke_without_flag_answers_the_activation_id(async_id: str) -> None:
    assert ACTIVATION_ID.fullmatch(async_id)


def test_activation_get_prints_the_record(nim: Nim, async_id: str) -> None:
    record = json_output(nim("activation", "get", async_id))
    assert record["activationId"] == async_id
    assert record["response"]["result"] == {"body": "Hello Async!"}


def test_activation_result_prints_the_response(nim: Nim, async_id: str) -> None:
    response = json_output(nim("activation", "result", async_id))
    assert response["result"] == {"body": "Hello Async!"}
    assert response["success"] is True


def test_activation_logs_prints_the_log_lines(nim: Nim, async_id: str) -> None:
    assert "greeting Async" in nim("activation", "logs", async_id).stdout


def test_activation_list_shows_the_activations(nim: Nim, async_id: str) -> None:
    listed = nim("activation", "list").stdout
    assert async_id in listed
    assert f"{PACKAGE}/hello" in listed


def test_activation_get_last_prints_the_newest_record(nim: Nim, deployed: Any) -> None:
    newest = json_output(nim("action", "invoke", f"{PACKAGE}/multi", "-b"))
    record = json_output(nim("activation", "get", "--last"))
    assert record["activationId"] == newest["activationId"]
    assert record["name"] == "multi"


def test_package_list_shows_the_deployed_package(nim: Nim, deployed: Any) -> None:
    assert re.search(rf"\b{PACKAGE}\b", nim("package", "list").stdout)


def test_namespace_get_shows_actions_and_packages(nim: Nim, deployed: Any) -> None:
    shown = nim("namespace", "get").stdout
    for function in FUNCTIONS:
        assert f"{PACKAGE}/{function}" in shown
    assert PACKAGE in shown


def test_deletes_remove_the_functions_then_the_package(nim: Nim, deployed: Any) -> None:
    for function in FUNCTIONS:
        nim("action", "delete", f"{PACKAGE}/{function}")
    missing = nim("action", "get", f"{PACKAGE}/hello", check=False)
    assert missing.returncode != 0
    assert "404" in missing.stderr
    nim("package", "delete", PACKAGE)
    assert f"{PACKAGE}/hello" not in nim("action", "list").stdout
    assert "served/ping" in nim("action", "list").stdout


def test_project_deploy_builds_a_go_function_remotely(nim: Nim, logged_in: Any, home: Path) -> None:
    # nim's deployer, like doctl's, sends every Go function to the platform's builder.
    project = shutil.copytree(SAMPLE_PROJECT, home / "sample-project")
    deployed = nim("project", "deploy", str(project), "--include", "sample/hello-go")
    assert "Submitted action 'sample/hello-go' for remote building and deployment" in (
        deployed.stdout
    )
    assert "  - sample/hello-go\n" in deployed.stdout
    assert "Failures" not in deployed.stdout + deployed.stderr
    greeting = result_of(nim, "sample/hello-go", "-p", "name", "Nim")
    assert greeting["body"].startswith("Hello Nim, from Go go1.")


def result_of(nim: Nim, path: str, *params: str) -> Any:
    return json_output(nim("action", "invoke", path, "-r", *params))
