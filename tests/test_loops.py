"""The event loop `serve --loop` picks: uvloop when asked for or, with auto, when installed."""

from __future__ import annotations

import asyncio

import pytest

from emulator.cli.event_loops import has_uvloop, new_event_loop


def loop_module(name: str) -> str:
    loop = new_event_loop(name)
    try:
        return type(loop).__module__.partition(".")[0]
    finally:
        loop.close()


def test_asyncio_is_asyncios_own_loop() -> None:
    assert loop_module("asyncio") == "asyncio"


def test_auto_is_uvloop_exactly_when_it_is_installed() -> None:
    assert loop_module("auto") == ("uvloop" if has_uvloop() else "asyncio")


def test_uvloop_runs_a_subprocess_as_the_invoker_does() -> None:
    if not has_uvloop():
        pytest.skip("uvloop is not installed")

    async def echo() -> bytes:
        process = await asyncio.create_subprocess_exec(
            "cat",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        out, _ = await process.communicate(b"line\n")
        return out

    loop = new_event_loop("uvloop")
    try:
        assert loop.run_until_complete(echo()) == b"line\n"
    finally:
        loop.close()
