"""Time and identifiers, injected so that tests can control them."""

from __future__ import annotations

import secrets
import string
import time
from typing import Protocol

_ALNUM = string.ascii_letters + string.digits


class Clock(Protocol):
    def now_ns(self) -> int:
        """Wall-clock time in epoch nanoseconds (log line timestamps)."""
        ...

    def now_ms(self) -> int:
        """Wall-clock time in epoch milliseconds (activation `start`/`end`)."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, for measuring durations and deadlines."""
        ...


class SystemClock:
    def now_ns(self) -> int:
        return time.time_ns()

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def monotonic(self) -> float:
        return time.monotonic()


class IdFactory:
    """Activation ids (32 lowercase hex) and transaction ids (32 alphanumerics)."""

    def activation_id(self, at_ms: int | None = None) -> str:
        """32 hex digits: the time in milliseconds (`at_ms`, default now), then 80 random bits.
        Random ids would land all over the primary key's index, and each insert would dirty
        a page of its own; ids that grow with time make the inserts appends."""
        at = time.time_ns() // 1_000_000 if at_ms is None else at_ms
        return f"{at & 0xFFFF_FFFF_FFFF:012x}{secrets.randbits(80):020x}"

    def transaction_id(self) -> str:
        # One read of random bytes: choosing 32 characters one by one is slow on a hot path.
        return "".join(_ALNUM[byte % len(_ALNUM)] for byte in secrets.token_bytes(32))

    def login_token(self) -> str:
        """A secret for one run of the emulator: the dashboard's login link carries it."""
        return secrets.token_urlsafe(30)
