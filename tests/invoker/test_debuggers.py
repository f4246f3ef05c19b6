"""Each language's function under its debugger, reached with a real client speaking the
debugger's protocol far enough to prove it is live: debugpy's DAP `initialize`, the Node
inspector's `/json/list`, Delve's JSON-RPC `RPCServer.State`, Xdebug's `init` packet."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from emulator.invoker.debugging import DebugScope
from emulator.invoker.invoker import Invoker
from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.golang import GoLauncher, find_delve
from emulator.invoker.launchers.node import NodeLauncher
from emulator.invoker.launchers.php import PhpLauncher, PhpProgram, xdebug_options
from emulator.invoker.launchers.python import PythonLauncher
from emulator.namespace.entities import Limits
from tests.invoker.recording import RecordingObserver
from tests.support.ci import require
from tests.support.invoking import RID, Functions

EVERYTHING = DebugScope(enabled=True)
# Time for a debug build of a Go function (no optimisation: every package compiled again).
GO_BUILD = Limits(timeout=120_000)
ADDRESS = re.compile(r"127\.0\.0\.1:(\d+)")


def _port(observer: RecordingObserver, path: str) -> int:
    notices = [e[2] for e in observer.events if e[:2] == ("notice", path)]
    assert notices, f"no debugger notice for {path}: {observer.events}"
    found = ADDRESS.search(notices[-1])
    assert found, notices[-1]
    return int(found[1])


@pytest.fixture
def debugging(
    make_invoker: Callable[..., Invoker], launchers: dict[str, Launcher]
) -> Callable[..., tuple[Invoker, RecordingObserver]]:
    def make(family: str, launcher: Launcher, scope: DebugScope = EVERYTHING):
        observer = RecordingObserver()
        invoker = make_invoker(
            families={**launchers, family: launcher}, debug=scope, observer=observer
        )
        return invoker, observer

    return make


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """The debugger's port, once it listens (the notice comes as its process starts)."""
    async with asyncio.timeout(30):
        while True:
            try:
                return await asyncio.open_connection("127.0.0.1", port)
            except ConnectionRefusedError:
                await asyncio.sleep(0.1)


async def _start(invoker: Invoker, path: str) -> asyncio.Task[Any]:
    invocation = await invoker.invoke(path, {}, request_id=RID, blocking=True)
    return asyncio.ensure_future(invocation.done)


# ----------------------------------------------------------------------------- Python, DAP


async def _dap_send(writer: asyncio.StreamWriter, seq: int, command: str, **arguments: Any):
    body = json.dumps(
        {"seq": seq, "type": "request", "command": command, "arguments": arguments}
    ).encode()
    writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    await writer.drain()


async def _dap_response(reader: asyncio.StreamReader, command: str) -> dict[str, Any]:
    """Messages until the response to `command` (events come in between)."""
    while True:
        header = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", header)[1])  # type: ignore[index]
        message = json.loads(await reader.readexactly(length))
        if message.get("type") == "response" and message.get("command") == command:
            return message


async def test_a_python_function_waits_for_debugpy_which_answers_dap(
    debugging, functions: Functions
):
    launcher = PythonLauncher.discover(debug=EVERYTHING)
    invoker, observer = debugging("python", launcher)
    functions.add("traced", "def main(args):\n    return {'body': 'hello from python'}\n")
    running = await _start(invoker, "pkg/traced")
    await observer.wait_for("notice", "pkg/traced", timeout=30)
    reader, writer = await _connect(_port(observer, "pkg/traced"))
    try:
        async with asyncio.timeout(30):
            await _dap_send(writer, 1, "initialize", adapterID="debugpy", clientID="tests")
            initialized = await _dap_response(reader, "initialize")
            assert initialized["success"] is True
            assert initialized["body"]["supportsConfigurationDoneRequest"] is True
            # Attached and configured: the function goes on.
            await _dap_send(writer, 2, "attach", justMyCode=False)
            await _dap_send(writer, 3, "configurationDone")
            await _dap_response(reader, "configurationDone")
            activation = await running
    finally:
        writer.close()
    assert activation.response.result == {"body": "hello from python"}


# ------------------------------------------------------------------- Node.js, the inspector


async def test_a_node_function_runs_under_the_inspector_which_lists_its_target(
    debugging, functions: Functions, launchers: dict[str, Launcher]
):
    node = launchers["nodejs"]
    assert isinstance(node, NodeLauncher)
    require(node.node is not None, "node is missing")
    launcher = NodeLauncher.discover(None, debug=EVERYTHING)
    invoker, observer = debugging("nodejs", launcher)
    code = "function main() { return { body: 'hello from node' }; }\nexports.main = main;\n"
    functions.add("traced", code, kind="nodejs:18", filename="traced.js")
    activation = await (await _start(invoker, "pkg/traced"))
    assert activation.response.result == {"body": "hello from node"}

    port = _port(observer, "pkg/traced")
    targets = await asyncio.to_thread(_http_json, f"http://127.0.0.1:{port}/json/list")
    assert targets[0]["type"] == "node"
    assert targets[0]["webSocketDebuggerUrl"].startswith(f"ws://127.0.0.1:{port}/")


def _http_json(url: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


# ------------------------------------------------------------------------------ Go, Delve


GO = """package main

func Main(args map[string]interface{}) map[string]interface{} {
	return map[string]interface{}{"body": "hello from go"}
}
"""


async def test_a_go_function_runs_under_delve_which_answers_json_rpc(
    debugging, functions: Functions, tmp_path: Path, launchers: dict[str, Launcher]
):
    require(find_delve() is not None, "dlv is missing: apt-get install delve")
    go = launchers["go"]
    assert isinstance(go, GoLauncher) and go.toolchain is not None
    launcher = GoLauncher(go.toolchain, cache_dir=tmp_path / "go", debug=EVERYTHING)
    invoker, observer = debugging("go", launcher)
    functions.add("traced", GO, kind="go:1.22", filename="traced.go", limits=GO_BUILD)
    activation = await (await _start(invoker, "pkg/traced"))
    assert activation.response.result == {"body": "hello from go"}, activation.logs

    reader, writer = await _connect(_port(observer, "pkg/traced"))
    try:
        request = {"method": "RPCServer.State", "params": [{"NonBlocking": True}], "id": 1}
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        async with asyncio.timeout(10):
            answer = json.loads(await reader.readline())
            # Delve answers other requests while the program is halted.
            sources = []
            for call in (
                {"method": "RPCServer.Command", "params": [{"name": "halt"}], "id": 2},
                {"method": "RPCServer.ListSources", "params": [{"Filter": "traced"}], "id": 3},
            ):
                writer.write(json.dumps(call).encode() + b"\n")
                await writer.drain()
                sources = json.loads(await reader.readuntil(b"\n"))["result"].get("Sources")
    finally:
        writer.close()
    assert answer["id"] == 1 and answer["error"] is None
    assert answer["result"]["State"]["exited"] is False
    # The binary names its files as the module does: what debug-config's mapping expects.
    assert "exec/traced.go" in sources


# ---------------------------------------------------------------------------- PHP, Xdebug

PHP = "<?php\nfunction main(array $args): array\n{\n    return ['body' => 'hello from php'];\n}\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def _ide(port: int) -> AsyncIterator[asyncio.Queue[bytes]]:
    """An IDE listening for Xdebug: each connection's init packet, then `detach`."""
    packets: asyncio.Queue[bytes] = asyncio.Queue()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\0")  # the length
        packets.put_nowait(await reader.readuntil(b"\0"))
        writer.write(b"detach -i 1\0")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", port)
    try:
        yield packets
    finally:
        server.close()
        await server.wait_closed()


async def test_a_php_function_runs_with_xdebug_which_sends_the_ide_its_init_packet(
    debugging, functions: Functions, launchers: dict[str, Launcher]
):
    php = launchers["php"]
    assert isinstance(php, PhpLauncher)
    program = php.php
    require(program is not None, "php is missing")
    assert program is not None
    require(
        xdebug_options(program.path) is not None, "Xdebug is missing: apt-get install php-xdebug"
    )
    port = _free_port()
    scope = DebugScope(enabled=True, xdebug_port=port)
    invoker, observer = debugging("php", PhpLauncher.discover(None, debug=scope), scope)
    functions.add("traced", PHP, kind="php:8.2", filename="traced.php")
    async with _ide(port) as packets:
        activation = await (await _start(invoker, "pkg/traced"))
        async with asyncio.timeout(10):
            init = (await packets.get()).decode()
    assert activation.response.result == {"body": "hello from php"}, activation.logs
    assert init.startswith("<?xml") and "<init " in init
    assert 'language="PHP"' in init and 'fileuri="file://' in init
    assert f"127.0.0.1:{port}" in " ".join(e[2] for e in observer.events if e[0] == "notice")


# -------------------------------------------------- scope, and a debugger that is missing


async def test_debug_function_lifts_the_timeout_of_the_named_functions_only(
    debugging, functions: Functions, launchers: dict[str, Launcher]
):
    require(launchers["nodejs"].problem("nodejs:18") is None, "node is missing")
    scope = DebugScope(enabled=True, only=frozenset({"pkg/slow-node"}))
    invoker, observer = debugging("nodejs", NodeLauncher.discover(None, debug=scope), scope)
    short = Limits(timeout=300)
    nap = (
        "function main() {\n"
        "  return new Promise((ok) => setTimeout(() => ok({ slept: true }), 1000));\n"
        "}\nexports.main = main;\n"
    )
    functions.add("slow-node", nap, kind="nodejs:18", filename="slow-node.js", limits=short)
    functions.add("other-node", nap, kind="nodejs:18", filename="other-node.js", limits=short)

    debugged = await (await _start(invoker, "pkg/slow-node"))
    other = await (await _start(invoker, "pkg/other-node"))

    assert debugged.response.result == {"slept": True}
    assert other.annotations.get("timeout") is True
    assert [e[1] for e in observer.events if e[0] == "notice"] == ["pkg/slow-node"]


async def test_a_missing_delve_is_named_with_its_install_command_and_the_function_runs(
    debugging, functions: Functions, tmp_path: Path, launchers: dict[str, Launcher], monkeypatch
):
    go = launchers["go"]
    assert isinstance(go, GoLauncher) and go.toolchain is not None
    # A PATH and a home without dlv.
    monkeypatch.setenv("PATH", str(Path(go.toolchain.program).parent))
    monkeypatch.setenv("HOME", str(tmp_path))
    launcher = GoLauncher(go.toolchain, cache_dir=tmp_path / "go", debug=EVERYTHING)
    invoker, observer = debugging("go", launcher)
    functions.add("plain", GO, kind="go:1.22", filename="plain.go", limits=GO_BUILD)

    activation = await (await _start(invoker, "pkg/plain"))

    assert activation.response.result == {"body": "hello from go"}
    notices = [e[2] for e in observer.events if e[0] == "notice"]
    assert len(notices) == 1 and "apt-get install delve" in notices[0]


async def test_a_missing_xdebug_is_named_with_its_install_command_and_the_function_runs(
    debugging, functions: Functions, tmp_path: Path, launchers: dict[str, Launcher]
):
    php = launchers["php"]
    assert isinstance(php, PhpLauncher)
    program = php.php
    require(program is not None, "php is missing")
    assert program is not None
    # A php whose extensions folder is empty: Xdebug cannot load.
    wrapper = tmp_path / "php-without-extensions"
    wrapper.write_text(f'#!/bin/sh\nexec {program.path} -dextension_dir=/nonexistent "$@"\n')
    wrapper.chmod(0o755)
    without = PhpProgram(str(wrapper), program.version, program.release)
    invoker, observer = debugging("php", PhpLauncher(without, str(wrapper), debug=EVERYTHING))
    functions.add("plain", PHP, kind="php:8.2", filename="plain.php")

    activation = await (await _start(invoker, "pkg/plain"))

    assert activation.response.result == {"body": "hello from php"}, activation.logs
    notices = [e[2] for e in observer.events if e[0] == "notice"]
    assert len(notices) == 1 and "apt-get install php-xdebug" in notices[0]
