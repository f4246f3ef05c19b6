"""The emulator's command line in a subprocess, as a user starts it."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support.routes import ACTIVATIONS, AUTH_HEADER


class ServerProcess:
    """`python -m emulator serve` in a subprocess, as a user starts it."""

    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = ""

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"emulator exited early:\n{self.finish()}")
            try:
                with urllib.request.urlopen(self.url + "/api/v1", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("emulator did not start listening")

    def line_with(self, text: str, timeout: float = 30) -> str:
        """The first line it printed that holds `text`, read while it runs (kept in `output`)."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while True:
            for line in self.output.splitlines():
                if text in line:
                    return line
            left = deadline - time.monotonic()
            readable, _, _ = select.select([fd], [], [], max(left, 0))
            if not readable:
                raise AssertionError(f"no line with {text!r} in:\n{self.output}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"it exited without a line with {text!r}:\n{self.output}")
            self.output += chunk.decode(errors="replace")

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One authenticated call; the status and the decoded JSON body."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": AUTH_HEADER, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def wait_for_record(self, activation_id: str, seconds: float = 30) -> Any:
        """The activation's record once it is written: 404 means not yet."""
        for _ in range(int(seconds * 20)):
            status, record = self.request("GET", f"{ACTIVATIONS}/{activation_id}")
            if status == 200:
                return record
            assert status == 404, record
            time.sleep(0.05)
        raise AssertionError(f"no record for {activation_id} after {seconds} s")

    def finish(self, timeout: float = 30) -> str:
        """Wait for the exit and return everything it printed."""
        out, _ = self.process.communicate(timeout=timeout)
        self.output += out or ""
        return self.output

    def stop(self, sig: int = signal.SIGTERM) -> str:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.finish()


@contextlib.contextmanager
def served(project: Path, records: Path, *extra: str) -> Iterator[ServerProcess]:
    """`serve` on `project` at a free port, its database in the folder `records`, for as long
    as several tests share it; its output is read as it comes (a full pipe would block the
    server mid-test) and kept in `output`."""
    port = free_port()
    args = [str(project), "--port", str(port), "--db", str(records / "emulator.db"), *extra]
    server = ServerProcess(args, {**os.environ}, port)
    reader = threading.Thread(target=_collect_output, args=(server,), daemon=True)
    reader.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.process.kill()
        server.process.wait()
        reader.join(timeout=5)
        if server.process.stdout is not None:
            server.process.stdout.close()


def _collect_output(server: ServerProcess) -> None:
    assert server.process.stdout is not None
    for line in server.process.stdout:
        server.output += line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def serve_copy(root: Path, source: Path, *extra: str) -> Iterator[ServerProcess]:
    """`served` on a copy of `source` in `root`, until the generator is closed."""
    project = shutil.copytree(source, root / source.name)
    with served(project, root, *extra) as server:
        yield server
