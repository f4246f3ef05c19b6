"""Fixtures for the activation store: a real SQLite file per test, and record factories."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
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

START = 1_700_000_000_000


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    # A directory that does not exist yet: open() must create it.
    return tmp_path / "state" / "activations.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[ActivationStore]:
    store = await ActivationStore.open(db_path)
    yield store
    await store.close()


@pytest.fixture
def make_pending() -> Callable[..., PendingActivation]:
    """Pending activations with fresh ids and the annotations the invoker would give them."""
    ids = itertools.count(1)

    def make(
        *,
        start: int = START,
        name: str = "hello",
        package: str | None = None,
        namespace: str = "guest",
        cause: str | None = None,
    ) -> PendingActivation:
        path = f"{namespace}/{package}/{name}" if package else f"{namespace}/{name}"
        return PendingActivation(
            activation_id=f"{next(ids):032x}",
            namespace=namespace,
            name=name,
            package=package,
            version="0.0.1",
            subject="da25db4890885df62c1bfb6afdb4c91cb3b4bca5",
            start=start,
            annotations=Annotations.of(
                {
                    "limits": {"timeout": 3000, "memory": 256, "logs": 16, "concurrency": 1},
                    "path": path,
                    "kind": "python:3.11",
                    "timeout": False,
                    "waitTime": 4,
                }
            ),
            cause=cause,
        )

    return make


@pytest.fixture
def make_activation(
    make_pending: Callable[..., PendingActivation],
) -> Callable[..., Activation]:
    """Finished activations; keyword arguments are make_pending's, plus `result`."""

    def make(*, result: Any = None, **pending: Any) -> Activation:
        started = make_pending(**pending)
        return started.finished(
            started.start + 12,
            ActivationResponse(StatusCode.SUCCESS, result or {"body": "Hello"}, size=17),
            logs=("2024-05-13T15:13:11.580825656Z stdout: Hello",),
        )

    return make
