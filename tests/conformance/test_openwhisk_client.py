"""The real `openwhisk` npm client (3.21.9) against `functions-emulator serve`: every call
it makes."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from tests.support.clients import CONFORMANCE, client_environment
from tests.support.routes import NAMESPACE
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.slow

ACTION = "conformance-greeter"
PACKAGE = "conformance-pkg"
ACTIVATION_ID = re.compile(r"[0-9a-f]{32}")

Steps = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def steps(emulator: ServerProcess, auth: str, tmp_path_factory: pytest.TempPathFactory) -> Steps:
    """Run the whole scenario once; each test below checks one of its steps."""
    env = client_environment(
        tmp_path_factory.mktemp("openwhisk-home"),
        __OW_API_HOST=emulator.url,
        __OW_API_KEY=auth,
    )
    done = subprocess.run(
        ["node", str(CONFORMANCE / "openwhisk_scenario.js")],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return {line["step"]: line for line in lines}


def value(steps: Steps, name: str) -> Any:
    """The step's result, failing with the client's error when the step failed."""
    step = steps[name]
    assert step["ok"], f"{name}: HTTP {step['statusCode']}: {step['error']}"
    return step["value"]


def status(steps: Steps, name: str) -> int | None:
    step = steps[name]
    assert not step["ok"], f"{name} succeeded with {step['value']!r}"
    code: int | None = step["statusCode"]
    return code


def test_create_answers_the_new_action(steps: Steps) -> None:
    action = value(steps, "create")
    assert action["name"] == ACTION
    assert action["namespace"] == NAMESPACE
    assert action["exec"]["kind"] == "nodejs:18"
    assert "greeting" in action["exec"]["code"]
    assert action["version"] == "0.0.1"


def test_second_create_without_overwrite_is_409(steps: Steps) -> None:
    assert status(steps, "create_again") == 409
    assert "already exists" in steps["create_again"]["error"]


def test_update_with_overwrite_stores_parameters_and_annotations(steps: Steps) -> None:
    action = value(steps, "update")
    assert action["version"] == "0.0.2"
    assert action["parameters"] == [{"key": "name", "value": "param-default"}]
    assert {"key": "web-export", "value": False} in action["annotations"]


def test_get_includes_the_code(steps: Steps) -> None:
    action = value(steps, "get")
    assert action["name"] == ACTION
    assert "console.log('greeting ' + name)" in action["exec"]["code"]
    assert action["parameters"] == [{"key": "name", "value": "param-default"}]


def test_list_includes_the_action(steps: Steps) -> None:
    actions = value(steps, "list")
    assert ACTION in [action["name"] for action in actions]
    assert all(action["namespace"] for action in actions)


def test_blocking_invoke_answers_the_full_activation(steps: Steps) -> None:
    record = value(steps, "invoke_blocking")
    assert ACTIVATION_ID.fullmatch(record["activationId"])
    assert record["name"] == ACTION
    assert record["response"]["success"] is True
    assert record["response"]["result"] == {"greeting": "Hello World!"}


def test_blocking_invoke_with_result_answers_the_result(steps: Steps) -> None:
    assert value(steps, "invoke_result") == {"greeting": "Hello Result!"}


def test_invoke_without_parameters_gets_the_default_parameter(steps: Steps) -> None:
    assert value(steps, "invoke_default_param") == {"greeting": "Hello param-default!"}


def test_non_blocking_invoke_answers_the_activation_id(steps: Steps) -> None:
    started = value(steps, "invoke_nonblocking")
    assert list(started) == ["activationId"]
    assert ACTIVATION_ID.fullmatch(started["activationId"])


def test_activation_get_finds_the_record_once_it_is_stored(steps: Steps) -> None:
    record = value(steps, "activation_get")
    assert record["activationId"] == value(steps, "invoke_nonblocking")["activationId"]
    assert record["response"]["result"] == {"greeting": "Hello Async!"}


def test_activation_logs_answers_the_log_lines(steps: Steps) -> None:
    logs = value(steps, "activation_logs")["logs"]
    assert len(logs) == 1
    assert logs[0].endswith("stdout: greeting Async")


def test_activation_result_answers_the_response(steps: Steps) -> None:
    response = value(steps, "activation_result")
    assert response["result"] == {"greeting": "Hello Async!"}
    assert response["success"] is True
    assert response["status"] == "success"


def test_activation_list_includes_every_invoke(steps: Steps) -> None:
    listed = value(steps, "activation_list")
    ids = [activation["activationId"] for activation in listed]
    assert value(steps, "invoke_nonblocking")["activationId"] in ids
    assert value(steps, "invoke_blocking")["activationId"] in ids


def test_activation_list_by_name_with_docs_includes_logs_and_response(steps: Steps) -> None:
    listed = value(steps, "activation_list_by_name")
    assert len(listed) == 4
    assert {activation["name"] for activation in listed} == {ACTION}
    assert all("logs" in activation and "response" in activation for activation in listed)


def test_package_create_answers_the_new_package(steps: Steps) -> None:
    package = value(steps, "package_create")
    assert package["name"] == PACKAGE
    assert package["namespace"] == NAMESPACE
    assert package["annotations"] == []
    assert package["version"] == "0.0.1"


def test_action_in_a_package_is_created_and_invoked(steps: Steps) -> None:
    action = value(steps, "package_action_create")
    assert action["name"] == "inner"
    assert action["namespace"] == f"{NAMESPACE}/{PACKAGE}"
    assert value(steps, "package_action_invoke") == {"greeting": "Hello Pkg!"}


def test_get_of_an_unknown_action_is_404(steps: Steps) -> None:
    assert status(steps, "get_unknown") == 404


def test_deletes_remove_the_action_then_the_package(steps: Steps) -> None:
    assert value(steps, "delete_package_action")["name"] == "inner"
    assert value(steps, "delete_package")["name"] == PACKAGE
    assert value(steps, "delete_action")["name"] == ACTION
    assert status(steps, "get_deleted") == 404


def test_the_scenario_ran_every_step(steps: Steps) -> None:
    script = (CONFORMANCE / "openwhisk_scenario.js").read_text()
    assert sorted(steps) == sorted(re.findall(r"await step\('(\w+)'", script))
