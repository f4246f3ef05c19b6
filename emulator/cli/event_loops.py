"""The event loop the server runs on: asyncio's own, or uvloop when it is installed."""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Literal, get_args

LoopName = Literal["auto", "asyncio", "uvloop"]
LOOPS: tuple[str, ...] = get_args(LoopName)


def has_uvloop() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def new_event_loop(name: str) -> asyncio.AbstractEventLoop:
    """A loop of the kind `name` ("auto": uvloop if installed, else asyncio's)."""
    if name == "uvloop" or (name == "auto" and has_uvloop()):
        # Imported here: an optional extra (`pip install functions-emulator[fast]`).
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()
