"""Confinement: the processes of one function process, kept together, measured and stopped
as one.

Every function process leads its own process group. Where the emulator may create a pids
cgroup (cgroup v1's `pids` hierarchy, or cgroup v2 with the pids controller: as root,
usually), each function process also gets one, with `pids.max` at MAX_PROCESSES: a fork
bomb runs into the kernel's limit, a descendant that left the process group (`setsid`) is
still found, and what a killed emulator left running is stopped at the next start.
Elsewhere the group's processes are counted from /proc, and, for a user other than root,
RLIMIT_NPROC bounds them too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

# Processes and threads of one function process, itself included (a cgroup counts threads).
MAX_PROCESSES = 512
CGROUP_MOUNT = Path("/sys/fs/cgroup")
# Under the hierarchy: one folder per emulator (`<pid>-<start time>`), one per function process.
CGROUP_FOLDER = "functions-emulator"
# Without a cgroup, how often /proc is scanned for a group's processes.
SCAN_SECONDS = 0.5
# How long stopped processes get to leave their cgroup before it is removed.
REMOVE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """A writable pids cgroup hierarchy: its mount and its cgroup version."""

    mount: Path
    version: int

    @property
    def folder(self) -> Path:
        return self.mount / CGROUP_FOLDER


def find_hierarchy(mount: Path = CGROUP_MOUNT) -> Hierarchy | None:
    """The pids hierarchy this emulator may create cgroups in, or None."""
    v1 = mount / "pids"
    if (v1 / "cgroup.procs").is_file() and os.access(v1, os.W_OK):
        return Hierarchy(v1, 1)
    controllers = _read(mount / "cgroup.controllers").split()
    if "pids" in controllers and os.access(mount, os.W_OK):
        return Hierarchy(mount, 2)
    return None


class Confinement:
    """Where one emulator confines its function processes (`detect` finds the best way)."""

    def __init__(
        self,
        hierarchy: Hierarchy | None,
        *,
        max_processes: int = MAX_PROCESSES,
        owner: int | None = None,
    ) -> None:
        self.hierarchy = hierarchy
        self.max_processes = max_processes
        self._owner = owner if owner is not None else os.getpid()

    @classmethod
    def detect(cls) -> Confinement:
        return cls(find_hierarchy())

    def confine(self, leader: int) -> Group:
        """Confine a new process (already the leader of its process group).

        Called before the process is sent its function: nothing the function starts escapes.
        """
        cgroup = self._cgroup_for(leader)
        if cgroup is None and os.geteuid() != 0:
            _limit_user_processes(leader, self.max_processes)
        return Group(leader, cgroup, self.max_processes)

    def reap_leftovers(self) -> int:
        """Stop what the function processes of emulators no longer running left behind (a
        grandchild of a killed emulator's function); the number of processes stopped."""
        if self.hierarchy is None:
            return 0
        stopped = 0
        for instance in _folders(self.hierarchy.folder):
            if _instance_alive(instance.name):
                continue
            leaves = _folders(instance)
            for leaf in leaves:
                stopped += _kill_cgroup(leaf)
            for folder in [*leaves, instance]:
                _remove_cgroup(folder)
        return stopped

    def _cgroup_for(self, leader: int) -> Path | None:
        hierarchy = self.hierarchy
        if hierarchy is None:
            return None
        instance = hierarchy.folder / _instance_name(self._owner)
        leaf = instance / str(leader)
        try:
            for folder in (hierarchy.folder, instance):
                folder.mkdir(exist_ok=True)
                if hierarchy.version == 2:
                    _enable_pids(folder.parent)
            if hierarchy.version == 2:
                _enable_pids(instance)
            leaf.mkdir(exist_ok=True)
            (leaf / "pids.max").write_text(str(self.max_processes))
            (leaf / "cgroup.procs").write_text(str(leader))
        except OSError as error:
            logger.info("no pids cgroup for process %d (%s): counting from /proc", leader, error)
            _remove_cgroup(leaf)
            return None
        return leaf


class Group:
    """The processes of one function process: its process group, and its cgroup if any."""

    def __init__(self, leader: int, cgroup: Path | None, max_processes: int) -> None:
        self.leader = leader
        self.cgroup = cgroup
        self._max = max_processes
        # Without a cgroup: the group's processes, as /proc last showed them, and when.
        self._scanned: list[int] = []
        self._scanned_at = float("-inf")

    def members(self) -> list[int]:
        if self.cgroup is not None:
            return _cgroup_members(self.cgroup)
        # Scanning /proc costs what the whole machine runs: not at every look.
        now = time.monotonic()
        if now - self._scanned_at >= SCAN_SECONDS:
            self._scanned = [pid for pid, group in _process_groups() if group == self.leader]
            self._scanned_at = now
        return self._scanned

    def over_process_limit(self) -> bool:
        """Whether the function tried to run more processes and threads than allowed."""
        if self.cgroup is not None:
            events = _read(self.cgroup / "pids.events").split()
            return len(events) >= 2 and events[0] == "max" and events[1] != "0"
        members = self.members()
        return sum(_thread_count(pid) for pid in members) > self._max

    def memory_bytes(self) -> int:
        """The memory of the whole tree: resident memory of a lone process; for several,
        their proportional share, so that pages shared after a fork count once."""
        members = self.members()
        if len(members) <= 1:
            return _resident_bytes(self.leader)
        return sum(_proportional_bytes(pid) for pid in members)

    def signal(self, sig: signal.Signals) -> None:
        _signal_group(self.leader, sig)
        if self.cgroup is not None:
            for pid in _cgroup_members(self.cgroup):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)

    def release(self) -> None:
        """Kill whatever is left and remove the cgroup (the leader must be gone)."""
        _signal_group(self.leader, signal.SIGKILL)
        if self.cgroup is not None:
            _kill_cgroup(self.cgroup)
            _remove_cgroup(self.cgroup)


def _instance_name(pid: int) -> str:
    return f"{pid}-{_start_time(pid)}"


def _instance_alive(name: str) -> bool:
    pid, _, started = name.partition("-")
    return pid.isdigit() and bool(started) and _start_time(int(pid)) == started


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot: with the id, names one process."""
    fields = _read(Path(f"/proc/{pid}/stat")).rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _enable_pids(folder: Path) -> None:
    control = folder / "cgroup.subtree_control"
    if "pids" not in _read(control).split():
        control.write_text("+pids")


def _folders(path: Path) -> list[Path]:
    try:
        return [entry for entry in path.iterdir() if entry.is_dir()]
    except OSError:
        return []


def _cgroup_members(cgroup: Path) -> list[int]:
    return [int(pid) for pid in _read(cgroup / "cgroup.procs").split()]


def _kill_cgroup(cgroup: Path) -> int:
    """SIGKILL every process in `cgroup`, again until none is left; how many there were."""
    if (cgroup / "cgroup.kill").exists():  # cgroup v2, Linux 5.14 and later
        with contextlib.suppress(OSError):
            (cgroup / "cgroup.kill").write_text("1")
    killed: set[int] = set()
    deadline = time.monotonic() + REMOVE_SECONDS
    while (members := _cgroup_members(cgroup)) and time.monotonic() < deadline:
        for pid in members:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        killed.update(members)
        time.sleep(0.01)
    return len(killed)


def _remove_cgroup(cgroup: Path) -> None:
    # A killed process stays in its cgroup until it is reaped: try for a moment.
    deadline = time.monotonic() + REMOVE_SECONDS
    while True:
        try:
            cgroup.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > deadline:
                logger.debug("could not remove %s", cgroup)
                return
            time.sleep(0.01)


def _limit_user_processes(pid: int, allowed: int) -> None:
    # RLIMIT_NPROC counts every process and thread of the user: the ones running now, plus
    # what the function may add.
    uid = os.geteuid()
    running = sum(_thread_count(p) for p in _pids() if _owner(p) == uid)
    with contextlib.suppress(OSError, ValueError):
        resource.prlimit(pid, resource.RLIMIT_NPROC, (running + allowed, running + allowed))


def _pids() -> Iterable[int]:
    return (int(name) for name in os.listdir("/proc") if name.isdigit())


def _owner(pid: int) -> int:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return -1


def _process_groups() -> Iterable[tuple[int, int]]:
    for pid in _pids():
        fields = _read(Path(f"/proc/{pid}/stat")).rpartition(")")[2].split()
        # Zombies are gone already: they hold no memory and run nothing.
        if len(fields) > 2 and fields[0] != "Z":
            yield pid, int(fields[2])


def _thread_count(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def _resident_bytes(pid: int) -> int:
    try:
        return int(_read(Path(f"/proc/{pid}/statm")).split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (IndexError, ValueError):
        return 0


def _proportional_bytes(pid: int) -> int:
    for line in _read(Path(f"/proc/{pid}/smaps_rollup")).splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return _resident_bytes(pid)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
