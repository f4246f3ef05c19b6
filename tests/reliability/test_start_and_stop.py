"""Starting and stopping the real CLI: a start that fails is one line and an exit within a
second, with the port and everything else released; a reader of its output that goes away
stops nothing; SIGHUP (the terminal closed) stops it as gracefully as SIGTERM, and SIGUSR1
does not kill it."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, AUTH_HEADER, NAMESPACE
from tests.support.servers import ServerProcess, free_port

PROJECT = FIXTURE_PROJECTS / "faults"
HELLO = f"{ACTIONS}/faults/hello?blocking=true&result=true"
MOVE_ASIDE = "move it aside (or delete it) and start again; records will start empty."


def serve_command(port: int, database: Path) -> list[str]:
    options = ["--port", str(port), "--db", str(database), "--no-reload"]
    return [sys.executable, "-m", "emulator", "serve", str(PROJECT), *options]


def fresh_database(path: Path) -> None:
    """The emulator's own schema, as a start leaves it."""
    done = subprocess.run(
        [sys.executable, "-c", _CREATE.format(path=str(path))], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


_CREATE = """
import asyncio
from pathlib import Path
from emulator.store.activation_store import ActivationStore
async def main():
    store = await ActivationStore.open(Path({path!r}))
    await store.close()
asyncio.run(main())
"""


def undecodable_entity(path: Path) -> str:
    fresh_database(path)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "INSERT INTO entities (namespace, collection, path, updated, doc) "
            "VALUES (?, 'actions', 'broken', 1, '{not json')",
            (NAMESPACE,),
        )
    return f"The database {path} holds a deployed function, broken, that cannot be read ("


def corrupt_header(path: Path) -> str:
    path.write_bytes(b"this is no SQLite file" * 200)
    return f"The database {path} is not an SQLite database (file is not a database): {MOVE_ASIDE}"


def newer_schema(path: Path) -> str:
    fresh_database(path)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 99")
    return f"The database {path} was written by a newer emulator ("


def folder_is_a_file(path: Path) -> str:
    path.parent.rmdir()
    path.parent.write_text("a file where the database's folder should be")
    return f"The database {path} cannot be created ("


FAILURES: dict[str, Callable[[Path], str]] = {
    "an undecodable row": undecodable_entity,
    "a corrupt header": corrupt_header,
    "a newer schema": newer_schema,
    "a file for a folder": folder_is_a_file,
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failed_start_is_one_line_and_an_exit_within_a_second_with_the_port_free(
    tmp_path: Path, failure: str
) -> None:
    database = tmp_path / "state" / "activations.db"
    database.parent.mkdir()
    expected = FAILURES[failure](database)
    port = free_port()
    started = time.monotonic()
    done = subprocess.run(
        serve_command(port, database),
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - started
    assert done.returncode == 1
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Error: Cannot start the emulator: {expected}"), lines[0]
    # Python's own start takes most of it: the failure itself is over at once.
    assert took < 3, took
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_a_failed_start_leaves_the_database_as_it_found_it(tmp_path: Path) -> None:
    database = tmp_path / "activations.db"
    undecodable_entity(database)
    before = database.read_bytes()
    done = subprocess.run(
        serve_command(free_port(), database),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert database.read_bytes() == before
    assert not Path(f"{database}-wal").exists()


def test_serve_piped_into_head_keeps_serving(tmp_path: Path) -> None:
    """As `serve 2>&1 | head -1`: the reader takes one line and goes away."""
    port = free_port()
    process = subprocess.Popen(
        serve_command(port, tmp_path / "cli.db"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip()
        process.stdout.close()
        # The banner, the request lines and each activation's line now meet a closed pipe.
        assert call(port, "POST", HELLO, timeout=30) == (200, {"ok": True})
        for _ in range(5):
            assert call(port, "POST", HELLO)[0] == 200
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=30)
    assert returncode == 0


def call(port: int, method: str, path: str, *, timeout: float = 0) -> tuple[int, Any]:
    """One authenticated call; with `timeout`, retried until the server listens."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=b"{}" if method == "POST" else None,
        method=method,
        headers={"Authorization": AUTH_HEADER, "Content-Type": "application/json"},
    )
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.slow
def test_sighup_stops_as_gracefully_as_sigterm(
    serve: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    server = serve(PROJECT, "--quiet", "--no-reload")
    started = tmp_path / "started"
    answers: list[tuple[int, Any]] = []
    caller = threading.Thread(
        target=lambda: answers.append(
            server.request(
                "POST", f"{ACTIONS}/faults/sleeps?blocking=true", {"started": str(started)}
            )
        )
    )
    caller.start()
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline, "the activation never started"
        time.sleep(0.05)
    output = server.stop(signal.SIGHUP)
    caller.join(timeout=30)
    assert server.process.returncode == 0, output
    # The caller got an answer, not a reset connection.
    assert [status for status, _ in answers] == [503]
    assert "SIGHUP: stopping" in output
    # The write-ahead log was folded back into the database.
    database = tmp_path / "cli.db"
    assert not Path(f"{database}-wal").exists()
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = check.execute("SELECT count(*) FROM activations").fetchone()
    assert count == 1


def test_sigusr1_is_logged_and_ignored(serve: Callable[..., ServerProcess]) -> None:
    server = serve(PROJECT, "--quiet", "--no-reload")
    for sig in (signal.SIGUSR1, signal.SIGUSR2):
        server.process.send_signal(sig)
    time.sleep(0.3)
    assert server.process.poll() is None
    assert server.request("POST", HELLO) == (200, {"ok": True})
    output = server.stop()
    assert server.process.returncode == 0
    assert "SIGUSR1 ignored: stop the emulator with Ctrl-C, SIGTERM or SIGHUP" in output
    assert "SIGUSR2 ignored" in output
