"""The store's DDL (schema.sql) and upgrading a database to it, keyed on PRAGMA user_version."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

import aiosqlite

logger = logging.getLogger(__name__)

_VERSION_HEADER = re.compile(r"^-- version: (\d+)\s*$", re.MULTILINE)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer emulator whose schema this one does not know."""


@dataclass(frozen=True, slots=True)
class Upgrade:
    version: int
    statements: tuple[str, ...]


def load_upgrades(text: str | None = None) -> tuple[Upgrade, ...]:
    """schema.sql's `-- version: N` sections, in order, each split into statements."""
    if text is None:
        text = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")
    parts = _VERSION_HEADER.split(text)
    # split() gives [preamble, version, body, version, body, ...].
    upgrades = tuple(
        Upgrade(int(version), _statements(body))
        for version, body in zip(parts[1::2], parts[2::2], strict=True)
    )
    versions = [u.version for u in upgrades]
    if versions != sorted(set(versions)):
        raise ValueError(f"schema.sql versions must increase: {versions}")
    return upgrades


def _statements(body: str) -> tuple[str, ...]:
    statements: list[str] = []
    pending = ""
    for line in body.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    leftover = [
        ln for ln in pending.splitlines() if ln.strip() and not ln.lstrip().startswith("--")
    ]
    if leftover:
        raise ValueError(f"schema.sql ends inside a statement: {pending.strip()!r}")
    return tuple(statements)


async def upgrade(db: aiosqlite.Connection, upgrades: tuple[Upgrade, ...]) -> int:
    """Apply the upgrades newer than the database's user_version in one transaction.

    The version is read after taking the write lock, so two emulators opening one fresh file
    at once do not both create the tables. Returns the resulting version.
    """
    latest = upgrades[-1].version if upgrades else 0
    await db.execute("BEGIN IMMEDIATE")
    try:
        current = await _user_version(db)
        if current > latest:
            raise SchemaTooNew(
                f"the activation database has schema version {current}; "
                f"this emulator knows up to {latest}"
            )
        for step in upgrades:
            if step.version > current:
                for statement in step.statements:
                    await db.execute(statement)
                # PRAGMA takes no bound parameters; the version is an int from our own file.
                await db.execute(f"PRAGMA user_version = {step.version:d}")
        await db.execute("COMMIT")
    except BaseException:
        await db.execute("ROLLBACK")
        raise
    if current < latest:
        logger.info("activation database upgraded from schema %d to %d", current, latest)
    return latest


async def _user_version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0
