"""EntityStore: the packages and functions deployed through the API, kept across restarts."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiosqlite

from emulator.namespace.entities import Action, ApiDeployment, Package
from emulator.store.busy import retry_busy
from emulator.store.codecs import (
    action_from_record,
    action_record_json,
    package_from_record,
    package_record_json,
)
from emulator.store.database import connect, transaction
from emulator.store.faults import StoreDamaged, store_errors

logger = logging.getLogger(__name__)

T = TypeVar("T")

ACTIONS = "actions"
PACKAGES = "packages"


class EntityStore:
    """One row per deployed package or function; a delete removes its row."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self._path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> EntityStore:
        """Open (creating if needed) the database at `path`, upgraded to the current schema."""
        return cls(await connect(path), path)

    async def close(self) -> None:
        async with self._write_lock:
            await self._db.close()

    async def load(self, namespace: str) -> ApiDeployment:
        with store_errors(self._path, "deployment"):
            rows = await self._db.execute_fetchall(
                "SELECT collection, path, doc FROM entities WHERE namespace = ? "
                "ORDER BY updated, rowid",
                (namespace,),
            )
        packages: list[Package] = []
        actions: list[Action] = []
        for collection, path, doc in rows:
            try:
                if collection == PACKAGES:
                    packages.append(package_from_record(json.loads(doc)))
                elif collection == ACTIONS:
                    actions.append(action_from_record(json.loads(doc)))
            except (ValueError, KeyError, TypeError) as error:
                kind = "function" if collection == ACTIONS else "package"
                raise StoreDamaged(
                    self._path, f"holds a deployed {kind}, {path}, that cannot be read ({error!r})"
                ) from None
        return ApiDeployment(packages=tuple(packages), actions=tuple(actions))

    async def save_action(self, action: Action) -> None:
        await self._put(
            action.namespace, ACTIONS, action.path, action.updated, action_record_json(action)
        )

    async def save_package(self, package: Package) -> None:
        await self._put(
            package.namespace, PACKAGES, package.name, package.updated, package_record_json(package)
        )

    async def forget_action(self, namespace: str, path: str) -> None:
        await self._delete(namespace, ACTIONS, path)

    async def forget_package(self, namespace: str, name: str) -> None:
        await self._delete(namespace, PACKAGES, name)

    async def _put(
        self, namespace: str, collection: str, path: str, updated: int, doc: object
    ) -> None:
        row = (namespace, collection, path, updated, json.dumps(doc, separators=(",", ":")))

        async def insert(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT OR REPLACE INTO entities (namespace, collection, path, updated, doc) "
                "VALUES (?, ?, ?, ?, ?)",
                row,
            )

        await self._write(f"save {collection}", insert)

    async def _delete(self, namespace: str, collection: str, path: str) -> None:
        async def delete(db: aiosqlite.Connection) -> None:
            await db.execute(
                "DELETE FROM entities WHERE namespace = ? AND collection = ? AND path = ?",
                (namespace, collection, path),
            )

        await self._write(f"delete {collection}", delete)

    async def _write(self, what: str, body: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        async with self._write_lock:
            with store_errors(self._path, "deployment"):
                return await retry_busy(lambda: transaction(self._db, body), what=what)
