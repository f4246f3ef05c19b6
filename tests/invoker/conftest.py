"""An Invoker over a real store, real subprocesses and functions written to tmp_path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from emulator.invoker.invoker import Identity, Invoker
from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.python import PythonLauncher
from emulator.invoker.pool import WarmPool
from emulator.namespace.clock import Clock, IdFactory, SystemClock
from emulator.namespace.registry import Registry
from emulator.store.activation_store import ActivationStore
from tests.support.ci import require
from tests.support.invoking import NAMESPACE, Functions
from tests.support.runtimes import RUNTIMES, Runtime


@pytest.fixture(scope="session")
def python_launcher(launchers: dict[str, Launcher]) -> PythonLauncher:
    launcher = launchers["python"]
    assert isinstance(launcher, PythonLauncher)
    return launcher


@pytest.fixture
def runtime(request: pytest.FixtureRequest, launchers: dict[str, Launcher]) -> Runtime:
    """The family a contract test is parametrized with (`indirect=True`, by its name); without
    its toolchain the test is skipped on a developer's machine and fails in CI."""
    runtime = RUNTIMES[request.param]
    problem = launchers[runtime.family].problem(runtime.kind)
    require(problem is None, str(problem))
    return runtime


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ActivationStore]:
    store = await ActivationStore.open(tmp_path / "activations.db")
    yield store
    await store.close()


@pytest.fixture
def registry() -> Registry:
    return Registry(NAMESPACE)


@pytest.fixture
def functions(tmp_path: Path, registry: Registry) -> Functions:
    return Functions(tmp_path / "functions", registry)


@pytest.fixture
async def make_invoker(
    registry: Registry, store: ActivationStore, launchers: dict[str, Launcher]
) -> AsyncIterator[Callable[..., Invoker]]:
    made: list[tuple[Invoker, WarmPool]] = []

    def make(
        *,
        environ: dict[str, str] | None = None,
        clock: Clock | None = None,
        pool: WarmPool | None = None,
        families: dict[str, Launcher] | None = None,
        **options: Any,
    ) -> Invoker:
        """`options` go to the Invoker as they are (observer, enforce_timeouts)."""
        clock = clock or SystemClock()
        pool = pool or WarmPool(clock, idle_seconds=600)
        invoker = Invoker(
            registry=registry,
            store=store,
            pool=pool,
            launchers=launchers if families is None else families,
            identity=Identity(NAMESPACE, "uuid:key", "f" * 40, "http://127.0.0.1:9"),
            host_environ=environ if environ is not None else {"PATH": "/usr/bin:/bin"},
            clock=clock,
            ids=IdFactory(),
            **options,
        )
        made.append((invoker, pool))
        return invoker

    yield make
    for invoker, pool in made:
        await invoker.close()
        await pool.close()


@pytest.fixture
def invoker(make_invoker: Callable[..., Invoker]) -> Invoker:
    return make_invoker()
