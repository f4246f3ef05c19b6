"""Who may see the dashboard: a session cookie, opened with the emulator's key or its login
token (derived from the key, so the banner can print it and nothing global keeps it)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from emulator.settings import Credentials

COOKIE = "emulator_dashboard"
COOKIE_PATH = "/dashboard"
# The login link's token is an HMAC of the key: it proves knowledge of the key without being it.
_TOKEN_PURPOSE = b"functions-emulator dashboard login"


def login_token(credentials: Credentials) -> str:
    return hmac.new(credentials.text.encode(), _TOKEN_PURPOSE, hashlib.sha256).hexdigest()[:40]


def token_matches(token: str, credentials: Credentials) -> bool:
    return hmac.compare_digest(token.encode(), login_token(credentials).encode())


def key_matches(text: str, credentials: Credentials) -> bool:
    """The `uuid:key` string, or its base64 token, as the API accepts them."""
    text = text.strip()
    return hmac.compare_digest(text.encode(), credentials.text.encode()) or (
        ":" not in text and credentials.matches_token(text)
    )


class Sessions:
    """The open sessions of this emulator run; a restart logs everyone out."""

    def __init__(self) -> None:
        self._ids: set[str] = set()

    def open(self) -> str:
        session_id = secrets.token_urlsafe(32)
        self._ids.add(session_id)
        return session_id

    def close(self, session_id: str | None) -> None:
        self._ids.discard(session_id or "")

    def valid(self, session_id: str | None) -> bool:
        return session_id is not None and session_id in self._ids
