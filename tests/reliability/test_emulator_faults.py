"""Faults around the emulator: killed outright, or stopped with work in flight. The real CLI
serves tests/fixtures/projects/faults; nothing may be lost, duplicated or left running."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from emulator.invoker import messages
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, ACTIVATIONS
from tests.support.servers import ServerProcess, process_alive

FAULTS = ACTIONS + "/faults"
PROJECT = FIXTURE_PROJECTS / "faults"
RUNNING = 50
UNAVAILABLE = (
    "The server is currently unavailable (because it is overloaded or down for maintenance)."
)


def start(serve: Any) -> ServerProcess:
    server: ServerProcess = serve(PROJECT, "--quiet", "--no-reload")
    return server


def children(pid: int) -> set[int]:
    """The live processes whose parent is `pid`."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[1] == str(pid) and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def wait_until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def all_records(server: ServerProcess) -> list[dict[str, Any]]:
    status, records = server.request("GET", f"{ACTIVATIONS}?limit=200&docs=true")
    assert status == 200
    assert isinstance(records, list)
    return records


def wait_gone(pids: set[int], seconds: float = 5) -> set[int]:
    deadline = time.monotonic() + seconds
    while (alive := {pid for pid in pids if process_alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


@pytest.mark.slow
def test_after_kill_9_each_running_activation_is_recorded_as_stopped_and_nothing_is_lost(
    serve: Any, tmp_path: Path
) -> None:
    server = start(serve)
    finished = []
    for name in ("Ada", "Grace", "Edsger"):
        status, body = server.request("POST", f"{FAULTS}/hello?blocking=true", {"name": name})
        assert status == 200
        finished.append(body["activationId"])
    pids_file, started = tmp_path / "pids", tmp_path / "started"
    running = []
    status, body = server.request(
        "POST", f"{FAULTS}/leaves-grandchild", {"pids": str(pids_file), "seconds": 300}
    )
    assert status == 202
    running.append(body["activationId"])
    for _ in range(RUNNING - 1):
        params = {"seconds": 300, "started": str(started)}
        status, body = server.request("POST", f"{FAULTS}/sleeps", params)
        assert status == 202
        running.append(body["activationId"])
    # Every activation running, and the grandchild started.
    wait_until(lambda: lines(started) == RUNNING - 1, 60, "the activations")
    wait_until(pids_file.exists, 30, "the grandchild")
    functions = children(server.process.pid)
    functions |= {int(pid) for pid in pids_file.read_text().split()}

    server.stop(signal.SIGKILL)
    restarted = start(serve)

    records = all_records(restarted)
    ids = [record["activationId"] for record in records]
    assert len(ids) == len(set(ids)), "a record is duplicated"
    assert set(ids) == set(finished) | set(running)
    by_id = {record["activationId"]: record for record in records}
    for activation_id in finished:
        assert by_id[activation_id]["response"]["status"] == "success"
    for activation_id in running:
        response = by_id[activation_id]["response"]
        assert response["status"] == "action developer error"
        assert response["result"] == {"error": messages.EMULATOR_STOPPED}
    # No function process outlives its emulator for long: not the processes, not the
    # grandchild one of them started.
    assert wait_gone(functions) == set()


@pytest.mark.slow
def test_sigterm_answers_running_blocking_calls_stops_the_processes_and_closes_the_database(
    serve: Any, tmp_path: Path
) -> None:
    server = start(serve)
    status, body = server.request("POST", f"{FAULTS}/hello?blocking=true")
    assert status == 200
    before = body["activationId"]
    answers: list[tuple[int, Any]] = []
    pids_file, started_file = tmp_path / "pids", tmp_path / "started"
    calls = [
        ("sleeps", {"seconds": 60, "started": str(started_file)}),
        ("sleeps", {"seconds": 60, "started": str(started_file)}),
        ("leaves-grandchild", {"pids": str(pids_file), "seconds": 60}),
    ]
    threads = [
        threading.Thread(
            target=lambda n=name, p=params: answers.append(
                server.request("POST", f"{FAULTS}/{n}?blocking=true", p)
            )
        )
        for name, params in calls
    ]
    for thread in threads:
        thread.start()
    wait_until(lambda: lines(started_file) == 2, 30, "the activations")
    wait_until(pids_file.exists, 30, "the grandchild")
    functions = children(server.process.pid) | {int(p) for p in pids_file.read_text().split()}
    started = time.monotonic()

    output = server.stop(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=30)

    assert server.process.returncode == 0, output
    assert time.monotonic() - started < 15
    # Every blocking caller got the platform's answer for a server going down; each
    # activation is recorded as stopped by the shutdown (checked after the restart below).
    assert len(answers) == len(calls)
    for status, body in answers:
        assert (status, body["error"]) == (503, UNAVAILABLE)
    assert wait_gone(functions, seconds=1) == set()
    # The database was closed cleanly: checkpointed, its write-ahead log gone, intact.
    database = tmp_path / "cli.db"
    assert not Path(f"{database}-wal").exists()
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # And every record is there for the next start.
    restarted = start(serve)
    records = all_records(restarted)
    assert len(records) == 1 + len(calls)
    stopped = [record for record in records if record["activationId"] != before]
    assert sorted(record["name"] for record in stopped) == sorted(name for name, _ in calls)
    for record in stopped:
        assert record["response"]["result"] == {"error": messages.EMULATOR_STOPPED}
