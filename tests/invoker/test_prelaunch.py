"""Prelaunch: a cold start takes a generic process started ahead of need, which loads the
function's code with exactly the function's environment and directory."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from emulator.invoker.launchers.node import NodeLauncher
from emulator.invoker.launchers.python import PythonLauncher
from emulator.invoker.pool import WarmPool
from emulator.namespace.clock import SystemClock
from tests.support.invoking import run

HOST = {"PATH": "/usr/bin:/bin", "HOME": "/home/x", "SECRET": "s3"}

PYTHON_PROBE = """
import os

def main(args):
    return {"pid": os.getpid(), "cwd": os.getcwd(), "env": dict(os.environ)}
"""

NODE_PROBE = """
function main(args) {
  return { pid: process.pid, cwd: process.cwd(), env: { ...process.env } };
}
"""
# The runtimes that prelaunch, and their probe.
PROBES = {"python": PYTHON_PROBE, "nodejs": NODE_PROBE}


async def prelaunched_pids(pool: WarmPool, launcher, kind: str, env) -> set[int]:
    """The pids of the generic processes ready for `kind`, once one has started."""
    spec = launcher.prelaunch(kind, env)
    assert spec is not None
    for _ in range(200):
        ready = {process.pid for process in pool.prelaunched(spec) if process.pid is not None}
        if ready:
            return ready
        await asyncio.sleep(0.05)
    raise AssertionError("no process was prelaunched within 10 s")


@pytest.mark.parametrize("runtime", PROBES, indirect=True)
async def test_a_cold_start_runs_in_a_prelaunched_process_with_only_the_functions_environment(
    make_invoker, functions, launchers, runtime
):
    pool = WarmPool(SystemClock(), idle_seconds=600)
    invoker = make_invoker(environ=HOST, pool=pool)
    action = runtime.add(functions, "probe", PROBES[runtime.family], environment={"GREETING": "hi"})
    invoker.prelaunch([action])
    family = launchers[runtime.family]
    waiting = await prelaunched_pids(pool, family, runtime.kind, HOST)

    activation = await run(invoker, "pkg/probe")

    result = activation.response.result
    assert result["pid"] in waiting
    assert result["cwd"] == str(action.exec.source.parent)
    env = result["env"]
    assert env["GREETING"] == "hi"
    assert env["PATH"] == "/usr/bin:/bin" and env["HOME"] == "/home/x"
    assert "SECRET" not in env
    assert env["__OW_ACTIVATION_ID"] == activation.activation_id
    assert annotation_init(activation) is not None


async def test_the_pool_refills_after_a_cold_start_takes_its_process(
    make_invoker, functions, python_launcher
):
    pool = WarmPool(SystemClock(), idle_seconds=600)
    invoker = make_invoker(environ=HOST, pool=pool)
    functions.add("first", PYTHON_PROBE)
    second = functions.add("second", PYTHON_PROBE)
    invoker.prelaunch([second])
    before = await prelaunched_pids(pool, python_launcher, "python:3.11", HOST)

    first_pid = (await run(invoker, "pkg/first")).response.result["pid"]
    after = await prelaunched_pids(pool, python_launcher, "python:3.11", HOST)
    second_pid = (await run(invoker, "pkg/second")).response.result["pid"]

    assert first_pid in before
    assert after and not after & before
    assert second_pid in after


async def test_a_function_that_fails_to_load_leaves_the_next_prelaunched_process_clean(
    make_invoker, functions, python_launcher
):
    pool = WarmPool(SystemClock(), idle_seconds=600)
    invoker = make_invoker(environ=HOST, pool=pool)
    broken = functions.add(
        "broken", "import os\nos.environ['LEAK'] = '1'\nraise ValueError('no')\n"
    )
    functions.add("probe", PYTHON_PROBE)
    invoker.prelaunch([broken])
    await prelaunched_pids(pool, python_launcher, "python:3.11", HOST)

    failed = await run(invoker, "pkg/broken")
    await prelaunched_pids(pool, python_launcher, "python:3.11", HOST)
    probe = await run(invoker, "pkg/probe")

    assert failed.response.status_code != 0
    assert "LEAK" not in probe.response.result["env"]


def test_debug_mode_and_compiled_runtimes_start_every_process_for_its_function(launchers):
    debugging = PythonLauncher({}, debug=True)
    assert debugging.prelaunch("python:3.11", HOST) is None
    assert NodeLauncher(None, "node").prelaunch("nodejs:18", HOST) is None
    assert launchers["go"].prelaunch("go:1.25", HOST) is None
    assert launchers["php"].prelaunch("php:8.2", HOST) is None


def test_only_what_an_interpreter_reads_at_start_up_is_in_the_generic_environment(
    python_launcher,
):
    env = {**HOST, "LANG": "C.UTF-8", "GREETING": "hi"}
    spec = python_launcher.prelaunch("python:3.11", env)
    assert spec is not None
    assert dict(spec.env) == {"LANG": "C.UTF-8", "PYTHONIOENCODING": "UTF-8"}
    assert spec.cwd == Path("/")


def annotation_init(activation):
    return activation.annotations.get("initTime")
