"""Time and identifiers, injected so that tests can control them."""

from __future__ import annotations

import secrets
import string
import time
import uuid
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

    def activation_id(self) -> str:
        return uuid.uuid4().hex

    def transaction_id(self) -> str:
        # One read of random bytes: choosing 32 characters one by one is slow on a hot path.
        return "".join(_ALNUM[byte % len(_ALNUM)] for byte in secrets.token_bytes(32))
