"""The real doctl (and its serverless plugin, functions-deployer 5.0.19) against
`functions-emulator serve`: connect through the control plane, deploy the sample project with
its Go function, functions, activations, triggers, watch, undeploy.

The emulator serves projects/doctl-served (a function with a scheduled trigger) and doctl
deploys a copy of the sample project into it. The tests of this module run in order, as a user
types the commands: each builds on the state the ones before it left. The control plane is
reached with `--api-url`, as doctl's help says; tests/conformance/test_doctl_docs.py covers the
DIGITALOCEAN_API_URL form of the docs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.namespace.runtimes import KINDS, default_kind
from emulator.settings import DEFAULT_AUTH, DEFAULT_CREDENTIALS
from tests.support.ci import require
from tests.support.clients import PROJECTS
from tests.support.doctl import DOCTL, doctl_environment, require_doctl, run_doctl
from tests.support.paths import SAMPLE_FUNCTIONS, SAMPLE_PROJECT
from tests.support.routes import NAMESPACE
from tests.support.servers import ServerProcess, serve_copy

pytestmark = pytest.mark.slow

GO_BUILDER = "build_" + default_kind("go").name.replace(":", "_")
# The promise of the docs: an undeploy answers at once, without retries against the cloud.
UNDEPLOY_SECONDS = 5
ACTIVATION_ID = re.compile(r"\b[0-9a-f]{32}\b")

Doctl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    require_doctl()
    yield from serve_copy(tmp_path_factory.mktemp("doctl"), PROJECTS / "doctl-served")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("doctl-home")


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    """doctl's shell, without DIGITALOCEAN_API_URL: the control plane needs --api-url."""
    return doctl_environment(home, api_url=None)


@pytest.fixture(scope="module")
def doctl(env: dict[str, str], home: Path) -> Doctl:
    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_doctl(env, *args, cwd=home, check=check)

    return run


@pytest.fixture(scope="module")
def connected(doctl: Doctl, emulator: ServerProcess) -> subprocess.CompletedProcess[str]:
    return doctl("--api-url", emulator.url, "serverless", "connect")


@pytest.fixture(scope="module")
def project(home: Path) -> Path:
    """A copy of the sample project: the deployer writes its zips into what it deploys."""
    return shutil.copytree(SAMPLE_PROJECT, home / "sample-project")


@pytest.fixture(scope="module")
def deployed(doctl: Doctl, connected: Any, project: Path) -> subprocess.CompletedProcess[str]:
    return doctl("serverless", "deploy", str(project))


def json_output(done: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(done.stdout)


def test_connect_without_hidden_flags_stores_the_namespace_and_its_key(
    connected: subprocess.CompletedProcess[str], emulator: ServerProcess, env: dict[str, str]
) -> None:
    host = f"{emulator.url}/doctl.co"
    assert (
        f"Connected to functions namespace '{NAMESPACE}' on API host '{host}' "
        "(label=functions-emulator)"
    ) in connected.stdout
    [stored] = Path(env["XDG_CONFIG_HOME"]).glob("doctl/sandbox/creds/*/credentials.json")
    credentials = json.loads(stored.read_text())
    assert credentials["currentHost"] == host
    assert credentials["credentials"][host][NAMESPACE]["api_key"] == DEFAULT_AUTH


def test_status_checks_the_connection_and_lists_the_languages(
    doctl: Doctl, connected: Any, emulator: ServerProcess
) -> None:
    status = doctl("serverless", "status").stdout
    assert f"Connected to functions namespace '{NAMESPACE}'" in status
    languages = doctl("serverless", "status", "--languages").stdout
    assert "Supported Languages:" in languages
    for kind in KINDS.values():
        suffix = f" ({kind.family}:default)" if kind.default else ""
        assert f"    {kind.name}{suffix}\n" in languages


def test_deploy_of_the_sample_project_builds_the_go_function_remotely(
    deployed: subprocess.CompletedProcess[str],
) -> None:
    out = deployed.stdout
    assert "Submitted function 'sample/hello-go' for remote building and deployment" in out
    listed = out.split("Deployed functions", 1)[1]
    for function in SAMPLE_FUNCTIONS:
        assert f"  - sample/{function}\n" in listed
    assert "Failures" not in out + deployed.stderr


def test_the_remotely_built_go_function_runs(doctl: Doctl, deployed: Any) -> None:
    result = json_output(
        doctl("serverless", "functions", "invoke", "sample/hello-go", "-p", "name:Ada")
    )
    assert result["body"].startswith("Hello Ada, from Go go1.")


def test_the_builder_activations_are_listed_like_any_other(doctl: Doctl, deployed: Any) -> None:
    listed = doctl("serverless", "activations", "list", "--limit", "30").stdout
    assert f"builder/{GO_BUILDER}" in listed
    assert "builder/getUploadUrl" in listed


def test_functions_list_get_and_the_web_url_that_curl_can_call(
    doctl: Doctl, deployed: Any, emulator: ServerProcess
) -> None:
    require(shutil.which("curl") is not None, "curl is missing")
    listed = doctl("serverless", "functions", "list").stdout
    assert "sample/hello-go" in listed
    assert "scheduled/tick" in listed
    got = json_output(doctl("serverless", "functions", "get", "sample/hello"))
    assert (got["name"], got["namespace"]) == ("hello", f"{NAMESPACE}/sample")
    url = doctl("serverless", "functions", "get", "sample/hello", "--url").stdout.strip()
    assert url == f"{emulator.url}/doctl.co/api/v1/web/{NAMESPACE}/sample/hello"
    called = subprocess.run(
        ["curl", "-s", "--fail", f"{url}?name=Curl"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert called.stdout == "Hello Curl!"


def test_invoke_with_a_parameter_the_full_record_and_no_wait(doctl: Doctl, deployed: Any) -> None:
    invoke = ("serverless", "functions", "invoke", "sample/hello")
    assert json_output(doctl(*invoke, "-p", "name:Ada")) == {"body": "Hello Ada!"}
    full = json_output(doctl(*invoke, "--full"))
    assert full["response"]["result"] == {"body": "Hello stranger!"}
    assert full["name"] == "hello"
    started = json_output(doctl(*invoke, "--no-wait"))
    assert ACTIVATION_ID.fullmatch(started["activationId"])


def test_activations_by_id_by_last_and_by_function(doctl: Doctl, deployed: Any) -> None:
    doctl("serverless", "functions", "invoke", "sample/hello-go", "-p", "name:Records")
    listed = doctl(
        "serverless",
        "activations",
        "list",
        "sample/hello-go",
        "--limit",
        "1",
        "--no-header",
        "--format",
        "ActivationID",
    )
    activation_id = listed.stdout.strip()
    assert ACTIVATION_ID.fullmatch(activation_id)
    record = json_output(doctl("serverless", "activations", "get", activation_id))
    assert record["activationId"] == activation_id
    logs = doctl("serverless", "activations", "logs", activation_id).stdout
    assert "stdout: greeted Records from /" in logs
    result = json_output(doctl("serverless", "activations", "result", activation_id))
    assert result["body"].startswith("Hello Records, from Go")
    last = json_output(doctl("serverless", "activations", "get", "--last"))
    assert last["activationId"] == activation_id
    by_function = doctl(
        "serverless", "activations", "logs", "--function", "sample/hello-go", "--limit", "1"
    ).stdout
    assert f"=== {activation_id} success" in by_function
    assert "greeted Records" in by_function


def test_triggers_through_the_control_plane(
    doctl: Doctl, connected: Any, emulator: ServerProcess
) -> None:
    control = ("--api-url", emulator.url, "serverless", "triggers")
    listed = doctl(*control, "list").stdout
    assert re.search(r"new-year\s+0 0 1 1 \*\s+scheduled/tick\s+true", listed), listed
    assert "new-year" in doctl(*control, "get", "new-year").stdout
    assert re.search(r"new-year.*false", doctl(*control, "disable", "new-year").stdout)
    assert re.search(r"new-year.*true", doctl(*control, "enable", "new-year").stdout)


def test_another_token_gets_digitaloceans_401(
    doctl: Doctl, env: dict[str, str], home: Path, emulator: ServerProcess
) -> None:
    other = {**env, "DIGITALOCEAN_ACCESS_TOKEN": "dop_v1_someone-elses"}
    done = run_doctl(
        other, "--api-url", emulator.url, "serverless", "namespaces", "list", cwd=home, check=False
    )
    assert done.returncode != 0
    assert (
        f"GET {emulator.url}/v2/functions/namespaces: 401" in done.stderr
        and "Unable to authenticate you" in done.stderr
    ), done.stderr


@pytest.mark.timeout(240)
def test_watch_deploys_again_after_an_edit(
    env: dict[str, str], deployed: Any, project: Path, doctl: Doctl, home: Path
) -> None:
    log = home / "watch.log"
    with log.open("w") as output:
        watch = subprocess.Popen(
            [str(DOCTL), "serverless", "watch", str(project)],
            env=env,
            cwd=home,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(log, "Watching", watch)
        source = project / "packages" / "sample" / "hello.py"
        edited = source.read_text().replace('f"Hello {name}!"', 'f"Howdy {name}!"')
        # The watcher may still be settling in just after it says so: save again until seen.
        deadline = time.monotonic() + 60
        while "due to change in" not in log.read_text():
            assert time.monotonic() < deadline, f"the edit was not seen:\n{log.read_text()}"
            source.write_text(edited)
            time.sleep(2)
        wait_for(log, "Deployment complete.  Resuming watch.", watch)
    finally:
        os.killpg(watch.pid, signal.SIGKILL)
        watch.wait()
    assert "due to change in" in log.read_text()
    howdy = json_output(doctl("serverless", "functions", "invoke", "sample/hello", "-p", "name:W"))
    assert howdy == {"body": "Howdy W!"}


def wait_for(log: Path, text: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text():
        assert process.poll() is None, f"watch ended:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no {text!r} in:\n{log.read_text()}"
        time.sleep(0.2)


def test_undeploy_of_a_function_deletes_its_triggers_too_and_answers_at_once(
    doctl: Doctl, connected: Any, emulator: ServerProcess
) -> None:
    seconds = timed(doctl, "--api-url", emulator.url, "serverless", "undeploy", "scheduled/tick")
    assert seconds < UNDEPLOY_SECONDS
    gone = doctl("serverless", "functions", "get", "scheduled/tick", check=False)
    assert gone.returncode != 0
    listed = doctl("--api-url", emulator.url, "serverless", "triggers", "list").stdout
    assert "new-year" not in listed


def test_undeploy_of_a_package_answers_at_once(
    doctl: Doctl, deployed: Any, emulator: ServerProcess
) -> None:
    args = ("--api-url", emulator.url, "serverless", "undeploy", "--packages", "sample")
    assert timed(doctl, *args) < UNDEPLOY_SECONDS
    assert "sample/" not in doctl("serverless", "functions", "list").stdout


def timed(doctl: Doctl, *args: str) -> float:
    started = time.monotonic()
    done = doctl(*args)
    assert "The requested resources have been undeployed." in done.stdout
    return time.monotonic() - started


def test_a_failed_remote_build_prints_the_compiler_output_and_exits_1(
    doctl: Doctl, connected: Any, home: Path
) -> None:
    broken = home / "broken" / "packages" / "broken"
    broken.mkdir(parents=True)
    (broken / "oops.go").write_text(
        "package main\n\nfunc Main(args map[string]interface{}) map[string]interface{} {\n"
        "\treturn undefinedThing\n}\n"
    )
    done = doctl("serverless", "deploy", str(home / "broken"), check=False)
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert "Transcript of remote build session for action 'broken/oops':" in out
    assert "undefined: undefinedThing" in out
    assert "Error: While deploying action 'broken/oops': './build.sh' exited with code 1" in out


def test_connect_with_an_access_key(doctl: Doctl, emulator: ServerProcess) -> None:
    key = DEFAULT_CREDENTIALS.access_key("0123456789abcdef0123456789abcdef")
    done = doctl("--api-url", emulator.url, "serverless", "connect", NAMESPACE, "--access-key", key)
    assert f"Connected to functions namespace '{NAMESPACE}'" in done.stdout
    assert f"Connected to functions namespace '{NAMESPACE}'" in doctl("serverless", "status").stdout
    wrong = key[:-4] + "0000"
    refused = doctl(
        "--api-url",
        emulator.url,
        "serverless",
        "connect",
        NAMESPACE,
        "--access-key",
        wrong,
        check=False,
    )
    assert refused.returncode != 0
    assert "failed to connect with provided access-key" in refused.stdout + refused.stderr


def banner_doctl_commands(banner: str) -> tuple[list[str], str, str]:
    """The banner's doctl block: its commands to paste, and the access key with its namespace."""
    lines = banner.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Point doctl at it"))
    commands = []
    for line in lines[start + 1 :]:
        if line.strip().startswith("Access key"):
            key_line = line.split()
            break
        commands.append(line.strip())
    key, namespace = key_line[2], key_line[6]
    return commands, namespace, key


def test_the_banners_doctl_lines_connect_when_pasted_into_a_fresh_shell(
    emulator: ServerProcess, tmp_path: Path
) -> None:
    commands, namespace, key = banner_doctl_commands(emulator.output)
    assert commands[0].startswith("export DIGITALOCEAN_ACCESS_TOKEN=")
    assert commands[1] == "doctl serverless connect"
    # A new shell: doctl and its plugin installed, nothing of this emulator's settings yet.
    fresh = doctl_environment(tmp_path, api_url=None)
    del fresh["DIGITALOCEAN_ACCESS_TOKEN"]
    # The two lines as printed; then the access key the banner prints, as its hint says.
    for script in (
        commands,
        [commands[0], f"doctl serverless connect {namespace} --access-key {key}"],
    ):
        pasted = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", "\n".join(script)],
            env=fresh,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert pasted.returncode == 0, pasted.stdout + pasted.stderr
        assert f"Connected to functions namespace '{NAMESPACE}'" in pasted.stdout
