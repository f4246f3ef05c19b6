"""Writing, reading and reopening activation records."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from emulator.namespace.entities import (
    Activation,
    ActivationResponse,
    PendingActivation,
    StatusCode,
)
from emulator.store.activation_store import ActivationStore
from emulator.store.faults import StoreDamaged
from emulator.store.schema import load_upgrades

MakeActivation = Callable[..., Activation]
MakePending = Callable[..., PendingActivation]


async def test_a_begun_activation_has_no_record_until_it_finishes(
    store: ActivationStore, make_pending: MakePending
) -> None:
    pending = make_pending(package="sample")
    await store.begin(pending)
    assert await store.get(pending.activation_id) is None

    activation = pending.finished(
        pending.start + 40, ActivationResponse(StatusCode.SUCCESS, {"body": "hi"}, size=13)
    )
    assert await store.finish(activation) is True
    assert await store.get(activation.activation_id) == activation


async def test_a_failed_activation_with_a_cause_reads_back_equal(
    store: ActivationStore, make_pending: MakePending
) -> None:
    pending = make_pending(cause="ffffffffffffffffffffffffffffffff")
    activation = pending.finished(
        pending.start + 3000,
        ActivationResponse.error(
            StatusCode.DEVELOPER_ERROR,
            "The action exceeded its time limits of 3000 milliseconds.",
        ),
        logs=("2024-05-13T15:13:11.580825656Z stderr: slow",),
    )
    await store.finish(activation)
    assert await store.get(activation.activation_id) == activation


async def test_an_unknown_id_has_no_record(store: ActivationStore) -> None:
    assert await store.get("0" * 32) is None


async def test_finishing_twice_keeps_the_first_record(
    store: ActivationStore, make_pending: MakePending
) -> None:
    pending = make_pending()
    first = pending.finished(pending.start + 5, ActivationResponse(StatusCode.SUCCESS, {"n": 1}))
    second = pending.finished(
        pending.start + 9, ActivationResponse.error(StatusCode.APPLICATION_ERROR, "late")
    )
    assert await store.finish(first) is True
    assert await store.finish(second) is False
    assert await store.get(pending.activation_id) == first
    assert await store.count(namespace=pending.namespace) == 1


async def test_a_record_survives_reopening_the_database(
    db_path: Path, make_activation: MakeActivation
) -> None:
    activation = make_activation(package="sample")
    store = await ActivationStore.open(db_path)
    await store.finish(activation)
    await store.close()

    reopened = await ActivationStore.open(db_path)
    try:
        assert await reopened.get(activation.activation_id) == activation
    finally:
        await reopened.close()


async def test_opening_creates_missing_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "activations.sqlite3"
    store = await ActivationStore.open(path)
    await store.close()
    assert path.is_file()


async def test_the_database_file_is_in_wal_mode(store: ActivationStore, db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_closing_twice_is_harmless(db_path: Path) -> None:
    store = await ActivationStore.open(db_path)
    await store.close()
    await store.close()


async def test_closing_folds_the_write_ahead_log_into_the_database(
    db_path: Path, make_activation: MakeActivation
) -> None:
    store = await ActivationStore.open(db_path)
    await store.finish(make_activation())
    await store.close()
    wal = db_path.with_name(db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


async def test_a_database_from_a_newer_schema_is_refused(db_path: Path) -> None:
    store = await ActivationStore.open(db_path)
    await store.close()
    with closing(sqlite3.connect(db_path)) as other:
        other.execute("PRAGMA user_version = 99")

    with pytest.raises(StoreDamaged) as refused:
        await ActivationStore.open(db_path)
    newest = max(upgrade.version for upgrade in load_upgrades())
    assert refused.value.message == (
        f"The database {db_path} was written by a newer emulator (the activation database has "
        f"schema version 99; this emulator knows up to {newest}): serve it with that emulator, "
        "or move "
        "it aside (or delete it) and start again; records will start empty."
    )


async def test_interrupted_activations_are_reported_after_a_restart(
    db_path: Path, make_pending: MakePending
) -> None:
    finished, killed = make_pending(start=1000), make_pending(start=2000, package="sample")
    store = await ActivationStore.open(db_path)
    await store.begin(finished)
    await store.begin(killed)
    await store.finish(finished.finished(1010, ActivationResponse(StatusCode.SUCCESS, {})))
    await store.close()

    store = await ActivationStore.open(db_path)
    try:
        assert await store.interrupted() == [killed]
        failed = killed.finished(
            3000,
            ActivationResponse.error(
                StatusCode.DEVELOPER_ERROR,
                "The action did not produce a valid response and exited unexpectedly.",
            ),
        )
        assert await store.finish(failed) is True
        assert await store.interrupted() == []
        assert await store.get(killed.activation_id) == failed
    finally:
        await store.close()
