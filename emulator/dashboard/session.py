"""Who may see the dashboard: a session cookie, opened with the emulator's key or with the
login link's token, and ended by logging out, by its age, or by a restart.

The token is random for each start of the emulator, and only the banner shows it: a token
derived from the key would be the same public value on every machine that runs with the
default key.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from emulator.namespace.clock import Clock
from emulator.settings import Credentials

COOKIE = "emulator_dashboard"
COOKIE_PATH = "/dashboard"
# A session ends after this long unused, and in any case this long after it was opened.
IDLE_SECONDS = 2 * 3600
LIFETIME_SECONDS = 12 * 3600


def token_matches(token: str, expected: str) -> bool:
    # In constant time: how long a refusal takes tells nothing of how much was right.
    return hmac.compare_digest(token.encode(), expected.encode())


def key_matches(text: str, credentials: Credentials) -> bool:
    """The `uuid:key` string, or its base64 token, as the API accepts them."""
    text = text.strip()
    return hmac.compare_digest(text.encode(), credentials.text.encode()) or (
        ":" not in text and credentials.matches_token(text)
    )


@dataclass(slots=True)
class _Session:
    opened: float
    used: float


class Sessions:
    """The open sessions of this emulator run; a restart logs everyone out."""

    def __init__(
        self,
        clock: Clock,
        *,
        idle_seconds: float = IDLE_SECONDS,
        lifetime_seconds: float = LIFETIME_SECONDS,
    ) -> None:
        self._clock = clock
        self._idle = idle_seconds
        self._lifetime = lifetime_seconds
        self._open: dict[str, _Session] = {}

    def open(self) -> str:
        self._forget_expired()
        session_id = secrets.token_urlsafe(32)
        now = self._clock.monotonic()
        self._open[session_id] = _Session(now, now)
        return session_id

    def close(self, session_id: str | None) -> None:
        self._open.pop(session_id or "", None)

    def valid(self, session_id: str | None) -> bool:
        """Whether the session is open and not expired; using it keeps it from idling out."""
        session = self._open.get(session_id or "")
        if session is None:
            return False
        now = self._clock.monotonic()
        if now - session.used > self._idle or now - session.opened > self._lifetime:
            del self._open[session_id or ""]
            return False
        session.used = now
        return True

    def _forget_expired(self) -> None:
        now = self._clock.monotonic()
        for session_id, session in list(self._open.items()):
            if now - session.used > self._idle or now - session.opened > self._lifetime:
                del self._open[session_id]
