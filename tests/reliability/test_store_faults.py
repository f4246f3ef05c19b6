"""Faults of the activation database: another process holding its lock, a disk that is full.
A record is never lost to a lock; a write that cannot happen is a clear error, and the server
stays up for reads."""

from __future__ import annotations

import asyncio
import itertools
import logging
import resource
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from emulator.namespace.entities import (
    Activation,
    ActivationResponse,
    Annotations,
    PendingActivation,
    StatusCode,
)
from emulator.store.activation_store import ActivationStore
from tests.support.ci import require
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, ACTIVATIONS
from tests.support.servers import ServerProcess

FAULTS = ACTIONS + "/faults"
# Enough for the schema and a few records; the write-ahead log soon outgrows it.
FILE_SIZE_LIMIT = 160 * 1024


_ids = itertools.count(1)


def make_pending() -> PendingActivation:
    return PendingActivation(
        activation_id=f"{next(_ids):032x}",
        namespace="guest",
        name="hello",
        package=None,
        version="0.0.1",
        subject="s" * 40,
        start=1_700_000_000_000,
        annotations=Annotations.of({"path": "guest/hello", "kind": "python:3.11"}),
        cause=None,
    )


def make_activation() -> Activation:
    started = make_pending()
    response = ActivationResponse(StatusCode.SUCCESS, {"body": "Hello"}, size=17)
    return started.finished(started.start + 12, response, logs=("a line",))


def hold_write_lock(db_path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process (the sqlite3 module, as a `sqlite3` shell would) holding the
    database's write lock for `seconds`; it prints `locked` once it has it."""
    script = textwrap.dedent(
        f"""
        import sqlite3, sys, time
        db = sqlite3.connect({str(db_path)!r}, isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        time.sleep({seconds})
        db.execute("COMMIT")
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


async def test_writes_queued_while_another_process_holds_the_lock_are_all_committed(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "activations.db"
    store = await ActivationStore.open(db_path)
    try:
        activations = [make_activation() for _ in range(200)]
        holder = hold_write_lock(db_path, 1.0)
        started = time.monotonic()
        written = await asyncio.gather(*(store.finish(a) for a in activations))
        waited = time.monotonic() - started
        assert holder.wait(10) == 0
        assert holder.stdout is not None
        holder.stdout.close()
        assert written == [True] * 200
        assert waited > 0.5  # they did meet the lock
        assert await store.count(namespace="guest") == 200
        for activation in activations[::40]:
            assert await store.get(activation.activation_id) == activation
    finally:
        await store.close()


async def test_a_failed_write_reaches_every_caller_of_its_batch_and_the_next_batch_succeeds(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "activations.db"
    store = await ActivationStore.open(db_path)
    try:
        first = make_activation()
        await store.finish(first)
        # A write the database refuses outright: the `pending` table is gone.
        with sqlite3.connect(db_path, isolation_level=None) as other:
            other.execute("ALTER TABLE pending RENAME TO pending_away")
        results = await asyncio.gather(
            store.begin(make_pending()), store.finish(make_activation()), return_exceptions=True
        )
        assert all(isinstance(r, sqlite3.OperationalError) for r in results)
        with sqlite3.connect(db_path, isolation_level=None) as other:
            other.execute("ALTER TABLE pending_away RENAME TO pending")
        later = make_activation()
        assert await store.finish(later) is True
        assert await store.get(first.activation_id) == first
        assert await store.get(later.activation_id) == later
    finally:
        await store.close()


def start_with_file_size_limit(serve: Any, tmp_path: Path) -> ServerProcess:
    """The real CLI, whose files may not grow past FILE_SIZE_LIMIT: a full disk for SQLite."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # Inherited by the server at its start; this process gets its own limit back at once.
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, hard))
    try:
        server: ServerProcess = serve(
            FIXTURE_PROJECTS / "faults",
            "--quiet",
            "--no-reload",
            "--invocations-per-minute",
            "0",
            wait=False,
        )
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    server.wait_ready()
    return server


@pytest.mark.slow
def test_a_full_disk_is_a_clear_error_and_the_server_stays_up_for_reads(
    serve: Any, tmp_path: Path
) -> None:
    server = start_with_file_size_limit(serve, tmp_path)
    try:
        recorded: list[str] = []
        failure: tuple[int, Any] | None = None
        for _ in range(200):
            status, body = server.request("POST", f"{FAULTS}/hello?blocking=true", {})
            if status != 200:
                failure = (status, body)
                break
            recorded.append(body["activationId"])
        assert recorded, "no record fitted under the limit"
        assert failure is not None, "the database never filled up"
        status, body = failure
        assert status == 503
        assert body["error"].startswith("The activation record could not be saved:")
        assert "Free disk space" in body["error"]

        # A non-blocking call hands out no id that could not be recorded: an id only once its
        # small pending row is committed (the few pages left may still hold some), then 503.
        handed_out: list[str] = []
        for _ in range(50):
            status, body = server.request("POST", f"{FAULTS}/hello?blocking=false", {})
            if status != 202:
                break
            handed_out.append(body["activationId"])
        assert status == 503 and "activationId" not in body
        assert body["error"].startswith("The activation record could not be saved:")

        # Reads still work, and every answered activation is there.
        status, listed = server.request("GET", f"{ACTIVATIONS}?limit=200")
        assert status == 200
        assert {r["activationId"] for r in listed} >= set(recorded)
        status, record = server.request("GET", f"{ACTIVATIONS}/{recorded[-1]}")
        assert status == 200 and record["response"]["success"] is True
        assert server.process.poll() is None
    finally:
        output = server.stop()
    assert "could not be saved" in output
    # Each id handed out has its record after a start with room to write it.
    restarted = serve(FIXTURE_PROJECTS / "faults", "--quiet", "--no-reload")
    for activation_id in handed_out:
        status, record = restarted.request("GET", f"{ACTIVATIONS}/{activation_id}")
        assert status == 200, activation_id
        assert record["response"]["status"] == "action developer error"


def damage_a_page_of_records(database: Path) -> None:
    """Overwrite the header of one leaf page of the activations table: SQLite then reports
    the file as malformed whenever a read reaches that page."""
    with closing(sqlite3.connect(database)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            page
            for (page,) in db.execute(
                "SELECT pageno FROM dbstat WHERE name = 'activations' AND pagetype = 'leaf'"
            )
        ]
    assert len(pages) > 2, "the records should fill several pages"
    with open(database, "r+b") as file:
        file.seek((pages[len(pages) // 2] - 1) * page_size)
        file.write(b"\xff" * 16)


@pytest.mark.slow
def test_a_damaged_page_is_a_clear_503_and_the_server_stays_up(serve: Any, tmp_path: Path) -> None:
    server = serve(FIXTURE_PROJECTS / "faults", "--quiet", "--no-reload")
    for _ in range(120):
        assert server.request("POST", f"{FAULTS}/large?blocking=true", {"size": 2000})[0] == 200
    assert server.stop() is not None
    database = tmp_path / "cli.db"
    damage_a_page_of_records(database)

    restarted = serve(FIXTURE_PROJECTS / "faults", "--quiet", "--no-reload")
    status, body = restarted.request("GET", f"{ACTIVATIONS}?limit=200")
    assert status == 503
    assert body["error"].startswith(
        f"The database {database} is damaged (database disk image is malformed): move it aside"
    )
    assert body["error"].endswith("records will start empty.")
    assert restarted.request("GET", "/api/v1/namespaces")[0] == 200
    assert restarted.process.poll() is None
    output = restarted.stop()
    assert "Traceback" not in output


def can_make_immutable(directory: Path) -> bool:
    probe = directory / "immutable-probe"
    probe.write_text("x")
    made = subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode == 0
    subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
    probe.unlink()
    return made


@pytest.mark.slow
def test_a_read_only_database_refuses_deploys_with_503_and_changes_nothing(
    serve: Any, tmp_path: Path
) -> None:
    # Root ignores file modes: an immutable file is read-only for everyone, open ones included.
    require(
        shutil.which("chattr") is not None and can_make_immutable(tmp_path),
        "chattr +i is not permitted here (it needs CAP_LINUX_IMMUTABLE)",
    )
    server = serve(FIXTURE_PROJECTS / "faults", "--quiet", "--no-reload")
    code = {"exec": {"kind": "python:3.11", "code": "def main(a):\n    return {'v': 1}\n"}}
    assert server.request("PUT", f"{ACTIONS}/kept", code)[0] == 200
    files = [str(tmp_path / "cli.db"), str(tmp_path / "cli.db-wal")]
    subprocess.run(["chattr", "+i", *files], check=True)
    try:
        status, body = server.request("PUT", f"{ACTIONS}/added", code)
        assert status == 503
        assert body["error"].startswith("The deployment could not be saved: ")
        assert "Free disk space or make the file writable" in body["error"]
        assert server.request("GET", f"{ACTIONS}/added")[0] == 404
        status, body = server.request("DELETE", f"{ACTIONS}/kept")
        assert status == 503
        assert server.request("GET", f"{ACTIONS}/kept")[0] == 200
        status, body = server.request("POST", f"{ACTIONS}/kept?blocking=true", {})
        assert status == 503
        assert body["error"].startswith("The activation record could not be saved: ")
        assert server.process.poll() is None
    finally:
        subprocess.run(["chattr", "-i", *files], check=True)
    assert server.request("POST", f"{ACTIONS}/kept?blocking=true&result=true", {}) == (
        200,
        {"v": 1},
    )
    server.stop()


@pytest.mark.parametrize("replaced", [False, True], ids=["deleted", "replaced"])
async def test_a_database_deleted_while_running_is_told(
    make_client: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, replaced: bool
) -> None:
    caplog.set_level(logging.WARNING, logger="emulator.store.file_watch")
    database = tmp_path / "state" / "activations.db"
    client = await make_client("api", db_path=database)
    assert (await client.post(f"{ACTIONS}/demo/hello?blocking=true", json={})).status == 200
    for path in database.parent.iterdir():
        path.unlink()
    if replaced:
        database.write_bytes(b"")
    what = "replaced by another file" if replaced else "deleted"
    expected = (
        f"the database {database} was {what} while the emulator runs: activation records and "
        "functions deployed through the API from now on are lost when it stops. Restart the "
        "emulator to start a new database there."
    )
    deadline = asyncio.get_running_loop().time() + 10
    while expected not in caplog.messages:
        assert asyncio.get_running_loop().time() < deadline, caplog.messages
        await asyncio.sleep(0.1)
    # Told once, and the server goes on.
    await asyncio.sleep(1.5)
    assert caplog.messages.count(expected) == 1
    assert (await client.get("/api/v1/namespaces")).status == 200
