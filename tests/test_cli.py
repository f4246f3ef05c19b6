"""`functions-emulator serve` as a user runs it: banner, failures, and stopping."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from emulator.settings import DEFAULT_AUTH, DEFAULT_CREDENTIALS, Credentials
from tests.support.paths import SAMPLE_PROJECT
from tests.support.routes import ACTIONS, NAMESPACE
from tests.support.servers import free_port, process_alive

REPO = SAMPLE_PROJECT.parent


def run_cli(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def record(db: Path, activation_id: str) -> dict:
    with sqlite3.connect(db) as connection:
        row = connection.execute(
            "SELECT doc FROM activations WHERE activation_id = ?", (activation_id,)
        ).fetchone()
    return json.loads(row[0]) if row else {}


def test_the_banner_says_where_the_api_is_and_how_to_call_it(serve):
    server = serve()
    output = server.stop()
    assert f"API host   {server.url}" in output
    assert f"Namespace  {NAMESPACE}" in output
    assert f"Auth key   {DEFAULT_AUTH}" in output
    assert "Warm       up to 64 idle processes (the least recently used stops first)" in output
    for name in ("sample/hello", "sample/greet", "sample/sleep"):
        assert f"{server.url}/api/v1/namespaces/{NAMESPACE}/actions/{name}" in output
    assert f"curl -u {DEFAULT_AUTH} -X POST '{server.url}/api/v1/namespaces/_/actions/" in output
    token = DEFAULT_CREDENTIALS.access_token
    assert (
        f"  export DIGITALOCEAN_ACCESS_TOKEN={token} DIGITALOCEAN_API_URL={server.url}\n"
        "  doctl serverless connect\n"
    ) in output
    assert f"Access key  {DEFAULT_CREDENTIALS.first_access_key}" in output
    assert "python:3.11: " in output
    assert f"WEB  {server.url}/api/v1/web/{NAMESPACE}/sample/page\n" in output
    assert f"WEB  {server.url}/api/v1/web/{NAMESPACE}/sample/webhook  (raw)" in output


def test_serve_with_no_argument_serves_the_project_in_the_current_directory(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "x.db"),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "never listened"
                time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert f"serving {SAMPLE_PROJECT / 'project.yml'}" in output
    assert process.returncode == 0


def test_options_can_come_from_the_environment(serve):
    server = serve(env={"FUNCTIONS_EMULATOR_NAMESPACE": "from-env"})
    status, doc = server.request("GET", "/api/v1/namespaces")
    assert (status, doc) == (200, ["from-env"])


def test_a_taken_port_exits_with_one_clear_line(serve):
    first = serve()
    second = serve(port=first.port, wait=False)
    output = second.finish()
    assert second.process.returncode == 1
    assert output.strip().splitlines()[-1] == (
        f"Error: Cannot listen on 127.0.0.1:{first.port}: the address is already in use."
    )


def test_an_invalid_project_exits_with_the_file_key_and_problem(tmp_path):
    (tmp_path / "packages" / "p").mkdir(parents=True)
    (tmp_path / "packages" / "p" / "f.py").write_text("def main():\n    return {}\n")
    (tmp_path / "project.yml").write_text(
        "packages:\n  - name: p\n    functions:\n      - name: f\n        limits:\n"
        "          timeout: soon\n"
    )
    done = run_cli("serve", str(tmp_path), "--port", str(free_port()))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: Invalid project configuration file (project.yml): 'timeout' member of a "
        f"'limits' clause must be a number (file {tmp_path / 'project.yml'}, key "
        "packages[0].functions[0].limits.timeout)"
    )


def test_a_missing_project_is_named(tmp_path):
    done = run_cli("serve", str(tmp_path / "project.yml"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: No project.yml found at {tmp_path / 'project.yml'}"


def test_the_module_and_the_console_script_both_run():
    assert "serve" in run_cli("--help").stdout
    script = Path(sys.executable).with_name("functions-emulator")
    done = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("functions-emulator, version ")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopping_stops_running_functions_records_them_and_closes_the_database(
    serve, tmp_path, sig
):
    server = serve()
    status, doc = server.request("POST", f"{ACTIONS}/sample/sleep", {"seconds": 30})
    assert status == 202
    time.sleep(1)
    children = _children(server.process.pid)
    assert children, "the function's process should be running"
    output = server.stop(sig)
    assert server.process.returncode == 0, output
    # Closed cleanly: the write-ahead log was folded back into the database.
    wal = tmp_path / "cli.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    stopped = record(tmp_path / "cli.db", doc["activationId"])
    assert stopped["response"]["status"] == "action developer error"
    assert stopped["response"]["result"] == {
        "error": "The emulator stopped while the function was running, so it produced no result."
    }
    assert not [pid for pid in children if process_alive(pid)]


def test_after_a_kill_running_activations_are_recorded_on_restart(serve, tmp_path):
    server = serve()
    status, done = server.request("POST", f"{ACTIONS}/sample/hello?blocking=true", {})
    assert status == 200
    running = [
        server.request("POST", f"{ACTIONS}/sample/sleep", {"seconds": 30})[1]["activationId"]
        for _ in range(3)
    ]
    time.sleep(1)
    children = _children(server.process.pid)
    server.stop(signal.SIGKILL)
    time.sleep(0.5)
    assert not [pid for pid in children if process_alive(pid)], (
        "functions must not outlive the kill"
    )
    restarted = serve()
    status, before = restarted.request(
        "GET", f"/api/v1/namespaces/_/activations/{done['activationId']}"
    )
    assert status == 200 and before["response"]["success"] is True
    for activation_id in running:
        status, doc = restarted.request("GET", f"/api/v1/namespaces/_/activations/{activation_id}")
        assert status == 200
        assert doc["response"]["status"] == "action developer error"
        assert doc["response"]["result"]["error"].startswith("The emulator stopped")
    status, count = restarted.request("GET", "/api/v1/namespaces/_/activations?count=true")
    assert count == {"activations": 4}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_missing_toolchain_is_reported_once_and_breaks_only_its_functions(serve):
    server = serve(SAMPLE_PROJECT, "--php", "/nonexistent/php")
    status, doc = server.request("POST", f"{ACTIONS}/sample/hello-php?blocking=true", {})
    assert status == 502
    problem = doc["response"]["result"]["error"]
    assert "/nonexistent/php" in problem and "php-cli" in problem
    status, doc = server.request("POST", f"{ACTIONS}/sample/hello?blocking=true&result=true", {})
    assert (status, doc) == (200, {"body": "Hello stranger!"})
    output = server.stop()
    section = output.split("Cannot run here\n", 1)[1]
    assert section.startswith(f"  {problem}\n    affects: sample/hello-php\n")
    assert output.count(problem) == 1


def test_access_key_issues_a_new_key_of_the_namespace_each_time() -> None:
    def issued(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "emulator", "access-key", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip()

    first, second = issued(), issued()
    assert re.fullmatch(r"dof_v1_[0-9a-f]{32}:[0-9a-f]{64}", first)
    assert first != second
    assert DEFAULT_CREDENTIALS.matches_access_key(first)
    assert DEFAULT_CREDENTIALS.matches_access_key(second)
    other = Credentials.parse("another-uuid:another-key")
    from_other = issued("--auth", other.text)
    assert other.matches_access_key(from_other)
    assert not DEFAULT_CREDENTIALS.matches_access_key(from_other)
