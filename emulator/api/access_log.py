"""The request lines the server logs: never a key, a token or a secret.

aiohttp's default line logs the request line as sent, query string included, so a login link
(`/dashboard/login?token=...`) or a caller's `?key=` would land in the terminal and in any
log file. Headers are never logged, Authorization least of all."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

REDACTED = "***"
# Query parameters whose values are credentials, wherever they appear.
SECRET_PARAMETERS = frozenset(
    {"token", "key", "auth", "api_key", "apikey", "password", "secret", "access_token"}
)


def loggable_target(path: str, query: str) -> str:
    """The path and query, with the value of every secret-looking parameter redacted."""
    if not query:
        return path
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name.lower() in SECRET_PARAMETERS for name, _ in pairs):
        return f"{path}?{query}"
    safe = [(n, REDACTED if n.lower() in SECRET_PARAMETERS else v) for n, v in pairs]
    return f"{path}?{urlencode(safe, safe='*')}"


class AccessLogger(AbstractAccessLogger):
    """`127.0.0.1 "POST /api/v1/...?blocking=true HTTP/1.1" 200 123 0.012s`."""

    @property
    def enabled(self) -> bool:
        # Asked once per connection: a quiet server formats no line at all (a warm-path cost).
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        target = loggable_target(request.path, request.query_string)
        version = f"HTTP/{request.version.major}.{request.version.minor}"
        self.logger.info(
            '%s "%s %s %s" %d %d %.3fs',
            request.remote,
            request.method,
            target,
            version,
            response.status,
            response.body_length,
            time,
        )
