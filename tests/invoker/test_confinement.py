"""Confinement of a function's processes: counted and measured as one tree, stopped as one, in
a pids cgroup where the machine allows it and from /proc otherwise."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

from emulator.invoker.confinement import Confinement, Group, find_hierarchy
from tests.support.servers import process_alive

HIERARCHY = find_hierarchy()
needs_cgroup = pytest.mark.skipif(HIERARCHY is None, reason="no writable pids cgroup here")

Spawn = Callable[[str], subprocess.Popen[str]]


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """`sh -c SCRIPT` leading its own process group; it waits for one stdin line first, so
    that it is confined before it starts anything."""
    started: list[subprocess.Popen[str]] = []

    def start(script: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            ["sh", "-c", f"read go; {script}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


def go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def release(group: Group, process: subprocess.Popen[str]) -> None:
    group.signal(signal.SIGKILL)
    process.wait()
    group.release()


def test_without_a_cgroup_the_process_group_is_counted_and_measured_from_proc(
    spawn: Spawn,
) -> None:
    process = spawn("sleep 30 & sleep 30 & wait")
    group = Confinement(None, max_processes=2).confine(process.pid)
    assert group.cgroup is None
    go(process)
    wait_for(lambda: len(group.members()) == 3)
    assert group.over_process_limit()
    assert Group(process.pid, None, 3).over_process_limit() is False
    assert group.memory_bytes() > 0
    members = group.members()
    release(group, process)
    wait_for(lambda: not any(process_alive(pid) for pid in members))


@needs_cgroup
def test_a_cgroup_holds_even_a_process_that_left_the_process_group(spawn: Spawn) -> None:
    process = spawn("setsid sleep 30 & echo $!; wait")
    group = Confinement(HIERARCHY).confine(process.pid)
    assert group.cgroup is not None and group.cgroup.is_dir()
    go(process)
    assert process.stdout is not None
    escaped = int(process.stdout.readline())
    wait_for(lambda: escaped in group.members())
    assert not group.over_process_limit()
    release(group, process)
    wait_for(lambda: not process_alive(escaped))
    assert not group.cgroup.exists()


@needs_cgroup
def test_the_cgroup_refuses_processes_past_the_limit(spawn: Spawn) -> None:
    process = spawn("for i in 1 2 3 4 5; do sleep 30 & done; wait")
    group = Confinement(HIERARCHY, max_processes=3).confine(process.pid)
    go(process)
    wait_for(group.over_process_limit)
    assert 1 <= len(group.members()) <= 3
    release(group, process)


@needs_cgroup
def test_what_a_dead_emulator_left_running_is_stopped_at_the_next_start(spawn: Spawn) -> None:
    # A stand-in for an emulator that is then killed, and a function process of it that
    # left a grandchild behind.
    emulator = subprocess.Popen(["sleep", "30"])
    process = spawn("sleep 30 & echo $!; wait")
    group = Confinement(HIERARCHY, owner=emulator.pid).confine(process.pid)
    go(process)
    assert process.stdout is not None
    grandchild = int(process.stdout.readline())
    # Another emulator, still running, whose processes must be left alone.
    alive = spawn("sleep 30")
    kept = Confinement(HIERARCHY).confine(alive.pid)
    emulator.kill()
    emulator.wait()
    process.kill()
    process.wait()
    assert process_alive(grandchild)

    assert Confinement(HIERARCHY).reap_leftovers() >= 1

    wait_for(lambda: not process_alive(grandchild))
    assert group.cgroup is not None and not group.cgroup.parent.exists()
    assert kept.members() == [alive.pid]
    release(kept, alive)
