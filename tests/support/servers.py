"""The emulator's command line in a subprocess, as a user starts it."""

from __future__ import annotations

import json
import os
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

from tests.support.routes import AUTH_HEADER


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

    def finish(self, timeout: float = 30) -> str:
        """Wait for the exit and return everything it printed."""
        out, _ = self.process.communicate(timeout=timeout)
        self.output += out or ""
        return self.output

    def stop(self, sig: int = signal.SIGTERM) -> str:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.finish()


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
    """`functions-emulator serve` on a copy of `source` in `root`, until the generator is
    closed; its output collects in `output` as it comes."""
    project = shutil.copytree(source, root / source.name)
    port = free_port()
    args = [str(project), "--port", str(port), "--db", str(root / "emulator.db"), *extra]
    server = ServerProcess(args, {**os.environ}, port)
    # Read its log as it comes: a full pipe would block the server mid-scenario.
    reader = threading.Thread(target=collect_output, args=(server,), daemon=True)
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


def collect_output(server: ServerProcess) -> None:
    assert server.process.stdout is not None
    for line in server.process.stdout:
        server.output += line
