"""The debugging modes: `--cold` (no warm reuse) and `--debug` (no timeouts, debuggers)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.invoker.launchers.node import NodeLauncher
from emulator.invoker.launchers.python import Interpreter, PythonLauncher
from emulator.invoker.pool import WarmPool
from emulator.namespace.clock import SystemClock
from emulator.namespace.entities import Limits, StatusCode
from tests.invoker.recording import RecordingObserver
from tests.support.ci import require
from tests.support.invoking import annotation, run
from tests.support.servers import process_alive


@pytest.fixture
def debug_node(launchers) -> NodeLauncher:
    """The session's node, in debug mode; without a usable node, skipped on a laptop and
    failed in CI."""
    found = launchers["nodejs"]
    assert isinstance(found, NodeLauncher)
    problem = found.problem("nodejs:18")
    require(problem is None, str(problem))
    return NodeLauncher(found.node, "node", debug=True)


PID = "import os\n\ndef main(event):\n    return {'pid': os.getpid()}\n"
NAP = "import time\n\ndef main(event):\n    time.sleep(1.5)\n    return {'woke': True}\n"


async def test_in_cold_mode_every_call_starts_a_new_process(make_invoker, functions):
    invoker = make_invoker(pool=WarmPool(SystemClock(), idle_seconds=600, reuse=False))
    functions.add("pid", PID)
    first = await run(invoker, "pkg/pid")
    second = await run(invoker, "pkg/pid")
    pids = [first.response.result["pid"], second.response.result["pid"]]
    assert pids[0] != pids[1]
    assert annotation(first, "initTime") is not None
    assert annotation(second, "initTime") is not None


async def test_in_cold_mode_a_process_is_stopped_after_its_activation(make_invoker, functions):
    invoker = make_invoker(pool=WarmPool(SystemClock(), idle_seconds=600, reuse=False))
    functions.add("pid", PID)
    activation = await run(invoker, "pkg/pid")
    assert not process_alive(activation.response.result["pid"])


async def test_a_function_past_its_timeout_is_killed_outside_debug_mode(make_invoker, functions):
    functions.add("nap", NAP, limits=Limits(timeout=300))
    activation = await run(make_invoker(), "pkg/nap")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR


async def test_in_debug_mode_a_function_past_its_timeout_runs_to_the_end(make_invoker, functions):
    functions.add("nap", NAP, limits=Limits(timeout=300))
    activation = await run(make_invoker(enforce_timeouts=False), "pkg/nap")
    assert activation.response.result == {"woke": True}
    assert annotation(activation, "timeout") is False


async def test_in_debug_mode_node_starts_under_the_inspector_on_a_printed_port(
    make_invoker, functions, debug_node
):
    observer = RecordingObserver()
    invoker = make_invoker(families={"nodejs": debug_node}, observer=observer)
    functions.add(
        "pid",
        "function main() { return { pid: process.pid }; }",
        filename="pid.js",
        kind="nodejs:18",
    )
    activation = await run(invoker, "pkg/pid")
    notices = [e for e in observer.events if e[0] == "notice"]
    assert len(notices) == 1
    assert notices[0][1] == "pkg/pid"
    address = notices[0][2].split()[3]
    assert address.startswith("127.0.0.1:")
    pid = activation.response.result["pid"]
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert f"--inspect={address}".encode() in argv


async def test_in_debug_mode_two_node_processes_get_two_ports(make_invoker, functions, debug_node):
    observer = RecordingObserver()
    invoker = make_invoker(
        families={"nodejs": debug_node},
        observer=observer,
        pool=WarmPool(SystemClock(), idle_seconds=600, reuse=False),
    )
    functions.add("hi", "function main() { return {}; }", filename="hi.js", kind="nodejs:18")
    await run(invoker, "pkg/hi")
    await run(invoker, "pkg/hi")
    ports = {e[2].split()[3] for e in observer.events if e[0] == "notice"}
    assert len(ports) == 2


async def test_in_debug_mode_python_without_debugpy_says_how_to_install_it_once_and_runs(
    make_invoker, functions, python_launcher
):
    interpreter = python_launcher.interpreter("python:3.11")
    assert os.system(f"{interpreter.path} -I -c 'import debugpy' 2>/dev/null") != 0
    observer = RecordingObserver()
    debug_python = PythonLauncher({"python:3.11": interpreter}, debug=True)
    invoker = make_invoker(
        families={"python": debug_python},
        observer=observer,
        pool=WarmPool(SystemClock(), idle_seconds=600, reuse=False),
    )
    functions.add("pid", PID)
    first = await run(invoker, "pkg/pid")
    await run(invoker, "pkg/pid")
    notices = [e[2] for e in observer.events if e[0] == "notice"]
    assert notices == [
        f"debugpy is not installed for {interpreter.path}; to debug, run "
        f"'{interpreter.path} -m pip install debugpy'. Running without a debugger."
    ]
    assert first.response.status_code is StatusCode.SUCCESS


STUB_DEBUGPY = """
import sys

def listen(address):
    print("debugpy listening on %s:%d" % address, file=sys.stderr)

def wait_for_client():
    print("debugpy attached", file=sys.stderr)
"""


async def test_in_debug_mode_python_with_debugpy_waits_for_a_debugger_before_loading(
    make_invoker, functions, tmp_path
):
    # A virtualenv whose debugpy only says what it was asked to do.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "debugpy.py").write_text(STUB_DEBUGPY)
    version = ".".join(map(str, sys.version_info[:3]))
    interpreter = Interpreter(str(venv / "bin" / "python"), version)
    observer = RecordingObserver()
    debug_python = PythonLauncher({"python:3.11": interpreter}, debug=True)
    invoker = make_invoker(families={"python": debug_python}, observer=observer)
    functions.add("pid", PID)
    activation = await run(invoker, "pkg/pid")
    [notice] = [e[2] for e in observer.events if e[0] == "notice"]
    address = notice.rpartition(" ")[2]
    assert notice == f"waiting for a debugger (debugpy) to attach on {address}"
    assert [line.split(" stderr: ")[1] for line in activation.logs] == [
        f"debugpy listening on {address}",
        "debugpy attached",
    ]
