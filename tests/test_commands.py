"""The doctl-shaped client commands, run as a user runs them against a running emulator."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from emulator.cli import doctl_output
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import NAMESPACE
from tests.support.servers import ServerProcess, free_port

API_PROJECT = FIXTURE_PROJECTS / "api"
FOLLOW = (sys.executable, "-m", "emulator", "activations", "logs", "--follow")
ACTIVATION_ID = re.compile(r"[0-9a-f]{32}")


def cli_env(port: int) -> dict[str, str]:
    return {**os.environ, "FUNCTIONS_EMULATOR_PORT": str(port)}


def run(port: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        env=cli_env(port),
        capture_output=True,
        text=True,
        timeout=60,
    )


def go_json_lines(value: Any) -> str:
    return doctl_output.go_json(value) + "\n"


@pytest.fixture
def api_server(serve: Callable[..., ServerProcess]) -> ServerProcess:
    return serve(API_PROJECT)


def test_invoke_prints_the_result_as_doctl_pretty_prints_it(api_server: ServerProcess) -> None:
    done = run(api_server.port, "invoke", "demo/hello", "-p", "name:Sammy")
    assert done.returncode == 0, done.stderr
    assert done.stdout == '{\n  "body": "Hello Sammy!"\n}\n'


def test_invoke_params_are_strings_split_at_the_first_colon_and_flags_win_over_the_file(
    api_server: ServerProcess, tmp_path: Path
) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"count": 3, "url": "from the file", "nested": {"b": 1}}))
    done = run(
        api_server.port,
        "invoke",
        "demo/echo",
        "-P",
        str(params),
        "-p",
        "url:http://x:8080/",
        "-p",
        "n:1,flag:true",
    )
    assert done.returncode == 0, done.stderr
    echoed = json.loads(done.stdout)
    assert {k: echoed[k] for k in ("count", "url", "nested", "n", "flag")} == {
        "count": 3,
        "url": "http://x:8080/",
        "nested": {"b": 1},
        "n": "1",
        "flag": "true",
    }
    # Go's encoding/json sorts map keys.
    assert list(echoed) == sorted(echoed)


def test_invoke_rejects_a_param_without_a_colon(api_server: ServerProcess) -> None:
    done = run(api_server.port, "invoke", "demo/echo", "-p", "novalue")
    assert done.returncode == 1
    assert done.stderr == "Error: values for --params must have KEY:VALUE form\n"


def test_invoke_no_wait_prints_the_activation_id_and_full_prints_the_record(
    api_server: ServerProcess,
) -> None:
    no_wait = run(api_server.port, "invoke", "demo/hello", "--no-wait")
    assert no_wait.returncode == 0, no_wait.stderr
    assert ACTIVATION_ID.fullmatch(json.loads(no_wait.stdout)["activationId"])
    full = run(api_server.port, "invoke", "demo/hello", "--full", "-p", "name:Al")
    record = json.loads(full.stdout)
    assert record["response"]["result"] == {"body": "Hello Al!"}
    assert record["name"] == "hello"


def test_a_failed_invoke_prints_the_error_result_and_exits_non_zero(
    api_server: ServerProcess,
) -> None:
    done = run(api_server.port, "invoke", "demo/fails")
    assert done.returncode == 1
    assert done.stdout == '{\n  "error": "nope"\n}\n'


def test_a_blocking_invoke_past_the_wait_prints_doctls_demotion_text(
    serve: Callable[..., ServerProcess],
) -> None:
    server = serve(API_PROJECT, "--blocking-wait", "0.5")
    done = run(server.port, "invoke", "demo/nap", "-p", "seconds:2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == [
        "Request accepted, but processing not completed yet.",
        "All functions invocation >= 30s will get demoted to an asynchronous invocation. "
        "Use --no-wait flag to immediately return the activation id.",
        "Use this command to view the results.",
    ]
    assert re.fullmatch(r"functions-emulator activations result [0-9a-f]{32}", lines[3])


def test_an_unknown_function_prints_the_platforms_error(api_server: ServerProcess) -> None:
    for args in (("invoke", "demo/nope"), ("functions", "get", "demo/nope")):
        done = run(api_server.port, *args)
        assert done.returncode == 1
        assert done.stdout == ""
        assert done.stderr == "Error: The requested resource does not exist.\n"


def test_a_command_without_a_running_emulator_says_how_to_start_it() -> None:
    port = free_port()
    done = run(port, "activations", "list")
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: The emulator is not running at http://127.0.0.1:{port}. Start it in the "
        f"project folder with `functions-emulator serve --port {port}`.\n"
    )


def invoke_ids(server: ServerProcess, *names: str) -> list[str]:
    """Blocking invokes, in order; their activation ids."""
    ids = []
    for name in names:
        status, body = server.request("POST", f"/api/v1/namespaces/_/actions/{name}?blocking=true")
        assert status in (200, 502)
        ids.append(body["activationId"])
    return ids


def test_activations_list_prints_doctls_columns_newest_first(api_server: ServerProcess) -> None:
    first, second = invoke_ids(api_server, "demo/hello", "demo/fails")
    done = run(api_server.port, "activations", "list")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == [
        "Datetime", "Status", "Kind", "Version", "Activation", "ID",
        "Start", "Wait", "Duration", "Function",
    ]  # fmt: skip
    assert [row.split("    ")[1] for row in rows] == ["application error", "success"]
    assert second in rows[0] and rows[0].endswith("demo/fails")
    assert first in rows[1] and "python:3.11" in rows[1] and " cold " in rows[1]
    assert rows[1].endswith("demo/hello")
    assert re.match(r"\d\d/\d\d \d\d:\d\d:\d\d    ", rows[0])

    narrowed = run(api_server.port, "activations", "list", "demo/hello", "--limit", "5")
    assert len(narrowed.stdout.splitlines()) == 2
    skipped = run(api_server.port, "activations", "list", "--skip", "1")
    assert first in skipped.stdout and second not in skipped.stdout
    counted = run(api_server.port, "activations", "list", "--count")
    assert counted.stdout == "You have 2 activations in this namespace \n"


def test_activations_get_prints_the_record_in_doctls_field_order_with_a_date(
    api_server: ServerProcess,
) -> None:
    (activation_id,) = invoke_ids(api_server, "demo/hello")
    done = run(api_server.port, "activations", "get", activation_id)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert list(record) == [
        "namespace", "name", "version", "subject", "activationId", "start", "end",
        "duration", "statusCode", "response", "logs", "annotations", "publish", "date",
    ]  # fmt: skip
    assert list(record["response"]) == ["status", "statusCode", "success", "result"]
    assert record["date"] == doctl_output.local_time(record["start"]).strftime("%Y-%m-%d %I:%M:%S")
    # With no id: the newest, the same record.
    assert run(api_server.port, "activations", "get", "--last").stdout == done.stdout


def test_activations_get_logs_and_result_print_a_banner_first(api_server: ServerProcess) -> None:
    (activation_id,) = invoke_ids(api_server, "demo/hello")
    _, record = api_server.request("GET", f"/api/v1/namespaces/_/activations/{activation_id}")
    banner = (
        f"=== {activation_id} success {doctl_output.short_time(record['end'])} demo/hello:0.0.1"
    )
    logs = run(api_server.port, "activations", "get", "--logs")
    assert logs.stdout == f"{banner}\ngreeted stranger\n"
    result = run(api_server.port, "activations", "get", "--result")
    assert result.stdout == f'{banner}\n{{\n  "body": "Hello stranger!"\n}}\n'
    quiet = run(api_server.port, "activations", "get", "--result", "--quiet")
    assert quiet.stdout == '{\n  "body": "Hello stranger!"\n}\n'
    by_id = run(api_server.port, "activations", "get", activation_id, "--logs")
    assert by_id.stdout == "greeted stranger\n"


def test_activations_logs_print_banners_oldest_first_and_strip_on_request(
    api_server: ServerProcess,
) -> None:
    first, second = invoke_ids(api_server, "demo/hello", "demo/hello")
    done = run(api_server.port, "activations", "logs", "--limit", "2")
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"=== {first} success ")
    assert re.fullmatch(r"\S+Z\s+stdout: greeted stranger", lines[1])
    assert lines[2] == ""
    assert lines[3].startswith(f"=== {second} success ")
    stripped = run(api_server.port, "activations", "logs", "--strip", "--function", "demo/hello")
    assert stripped.stdout.splitlines()[1:] == ["greeted stranger", ""]
    by_id = run(api_server.port, "activations", "logs", first, "--strip")
    assert by_id.stdout == "greeted stranger\n"


def test_activations_logs_follow_prints_the_newest_then_each_new_activation(
    api_server: ServerProcess,
) -> None:
    (first,) = invoke_ids(api_server, "demo/hello")
    follow = subprocess.Popen(
        [*FOLLOW, "--poll-interval", "0.2"],
        env=cli_env(api_server.port),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert follow.stdout is not None
        assert follow.stdout.readline().startswith(f"=== {first} success ")
        assert follow.stdout.readline().endswith("stdout: greeted stranger\n")
        assert follow.stdout.readline() == "\n"
        (second,) = invoke_ids(api_server, "demo/hello")
        assert follow.stdout.readline().startswith(f"=== {second} success ")
    finally:
        follow.kill()
        follow.communicate(timeout=10)


def test_activations_result_prints_the_newest_results_oldest_first(
    api_server: ServerProcess,
) -> None:
    first, second = invoke_ids(api_server, "demo/hello", "demo/fails")
    done = run(api_server.port, "activations", "result", "--limit", "2")
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"=== {first} success ")
    assert lines[1:4] == ["{", '  "body": "Hello stranger!"', "}"]
    assert lines[4].startswith(f"=== {second} application error ")
    assert lines[5:] == ["{", '  "error": "nope"', "}"]
    only = run(api_server.port, "activations", "result", "--function", "demo/hello", "-q")
    assert only.stdout == '{\n  "body": "Hello stranger!"\n}\n'
    by_id = run(api_server.port, "activations", "result", second)
    assert by_id.stdout == '{\n  "error": "nope"\n}\n'


def test_functions_list_prints_doctls_columns_and_count(api_server: ServerProcess) -> None:
    done = run(api_server.port, "functions", "list", "demo", "--name-sort")
    header, *rows = done.stdout.splitlines()
    assert re.split(r"\s{2,}", header) == [
        "Latest Update", "Latest Version", "Runtime Kind", "Function Name",
    ]  # fmt: skip
    assert [row.split()[-1] for row in rows] == [
        "demo/crashes", "demo/echo", "demo/fails", "demo/hello", "demo/nap",
    ]  # fmt: skip
    assert all(row.split()[2:4] == ["0.0.1", "python:3.11"] for row in rows)
    counted = run(api_server.port, "functions", "list", "--count")
    assert counted.stdout == "There are 6 functions in this namespace.\n"
    one = run(api_server.port, "functions", "list", "demo", "--limit", "1", "--count")
    assert one.stdout == "There is 1 function in this namespace.\n"


def test_functions_get_prints_the_action_its_url_and_its_code(api_server: ServerProcess) -> None:
    action = json.loads(run(api_server.port, "functions", "get", "demo/echo").stdout)
    assert list(action)[:4] == ["namespace", "name", "version", "exec"]
    assert action["namespace"] == f"{NAMESPACE}/demo"
    url = run(api_server.port, "functions", "get", "demo/echo", "--url")
    assert url.stdout == f"{api_server.url}/api/v1/web/{NAMESPACE}/demo/echo\n"
    code = run(api_server.port, "functions", "get", "demo/echo", "--code")
    assert code.stdout == "def main(args):\n    return args\n\n"


TRIGGER = {
    "namespace": NAMESPACE,
    "function": "cron/echo",
    "type": "SCHEDULED",
    "name": "every-minute",
    "is_enabled": True,
    "created_at": "2024-05-01T10:00:00Z",
    "updated_at": "2024-05-01T10:00:00Z",
    "scheduled_details": {"cron": "* * * * *", "body": {"name": "tester"}},
    "scheduled_runs": {"last_run_at": None, "next_run_at": "2024-05-01T10:01:00Z"},
}


async def run_async(port: int, *args: str) -> tuple[int, str, str]:
    """The command in a subprocess while this loop goes on serving the stub."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        *args,
        env=cli_env(port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
async def triggers_stub(aiohttp_server: Any) -> Any:
    """The shared trigger routes as part B serves them: the contract, not the scheduler."""
    seen: list[tuple[str, str]] = []

    async def list_triggers(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers["Authorization"]))
        return web.json_response({"triggers": [TRIGGER]})

    async def fire(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers["Authorization"]))
        if request.match_info["name"] != "every-minute":
            return web.json_response({"error": "Trigger not found"}, status=404)
        return web.json_response({"activationId": "a" * 32}, status=202)

    app = web.Application()
    app.router.add_get("/v2/functions/namespaces/{ns}/triggers", list_triggers)
    app.router.add_post("/v2/functions/namespaces/{ns}/triggers/{name}/fire", fire)
    server = await aiohttp_server(app)
    server.seen = seen
    return server


async def test_triggers_list_prints_doctls_columns_with_the_next_run(triggers_stub: Any) -> None:
    status, out, _ = await run_async(triggers_stub.port, "triggers", "list")
    assert status == 0
    next_run = datetime.fromisoformat("2024-05-01T10:01:00Z").astimezone()
    assert out.splitlines() == [
        "Name            Cron Expression    Invokes      Enabled    Last Run At    Next Run At",
        f"every-minute    * * * * *          cron/echo    true       _              "
        f"{next_run.strftime('%m/%d %I:%M:%S')}",
    ]
    path, authorization = triggers_stub.seen[0]
    assert path == "/v2/functions/namespaces/_/triggers"
    assert authorization.startswith("Basic ")


async def test_triggers_fire_prints_the_activation_id_or_the_error(triggers_stub: Any) -> None:
    status, out, _ = await run_async(triggers_stub.port, "triggers", "fire", "every-minute")
    assert (status, out) == (0, '{\n  "activationId": "' + "a" * 32 + '"\n}\n')
    assert triggers_stub.seen[-1][0] == "/v2/functions/namespaces/_/triggers/every-minute/fire"
    status, out, err = await run_async(triggers_stub.port, "triggers", "fire", "nope")
    assert (status, out, err) == (1, "", "Error: Trigger not found\n")


def test_go_json_escapes_html_sorts_maps_and_drops_integral_fractions() -> None:
    assert doctl_output.go_json({"b": 1.0, "a": "<&>"}) == (
        '{\n  "a": "\\u003c\\u0026\\u003e",\n  "b": 1\n}'
    )


def test_strip_removes_the_time_stamp_and_stream() -> None:
    line = "2019-10-11T19:08:57.298Z       stdout: login-success ::  { code: 1 }"
    assert doctl_output.strip_log(line) == "login-success ::  { code: 1 }"
