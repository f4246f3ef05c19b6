"""What an activation was invoked with, as the emulator keeps it to replay the activation.

The platform's record has no such field: the emulator keeps it beside the record, locally.
An API call is kept as its parameters (the request's, not the bound ones); a web call as the
HTTP request itself, so that a replay rebuilds the event exactly as the first call did.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from emulator.namespace.entities import JSON

# Which code a replay runs: the function as deployed now, or the copy its record kept.
Code = Literal["current", "recorded"]
CODES: tuple[Code, ...] = ("current", "recorded")

# A request is kept whole up to this many bytes of JSON; past it, only its beginning, marked.
# Twice the platform's largest request (1 MB): whatever it accepts is kept whole, a web body
# in base64 with its headers too. Only the dashboard's invoke form takes larger parameters.
MAX_RECORDED_BYTES = 2 * 1024 * 1024
# Headers a replay must not send again: the connection's own, and the ones the edge adds.
UNREPLAYED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "upgrade",
        "x-request-id",
        "x-forwarded-proto",
    }
)


@dataclass(frozen=True, slots=True)
class WebCall:
    """A web function's HTTP request, as its client sent it."""

    method: str
    function: str  # the URL's package and function, with its extension: `web/hello.json`
    path: str  # what followed it: "" or "/a/b"
    query: str  # raw, without "?"
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    user: str | None = None  # `__ow_user`: the caller's namespace, when it sent the key

    def as_json(self) -> dict[str, JSON]:
        return {
            "method": self.method,
            "function": self.function,
            "path": self.path,
            "query": self.query,
            "headers": [[name, value] for name, value in self.headers],
            "body": base64.b64encode(self.body).decode("ascii"),
            "user": self.user,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> WebCall:
        return cls(
            method=str(doc["method"]),
            function=str(doc["function"]),
            path=str(doc.get("path", "")),
            query=str(doc.get("query", "")),
            headers=tuple((str(k), str(v)) for k, v in doc.get("headers", ())),
            body=base64.b64decode(doc.get("body", "")),
            user=doc.get("user"),
        )

    @classmethod
    def replayable(
        cls,
        method: str,
        function: str,
        path: str,
        query: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        user: str | None,
    ) -> WebCall:
        """The request as a replay sends it again: without its connection's headers."""
        kept = tuple(
            (str(name), str(value))
            for name, value in headers
            if str(name).lower() not in UNREPLAYED_HEADERS
        )
        return cls(method, function, path, query, kept, body, user)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """An activation's request: `params` for an API call or a trigger, `web` for a web call.
    `code` is the digest of the function's code that ran, once known."""

    params: Mapping[str, JSON] = field(default_factory=dict)
    web: WebCall | None = None
    code: str | None = None

    def as_json(self) -> dict[str, JSON]:
        if self.web is not None:
            return {"web": self.web.as_json()}
        return {"params": dict(self.params)}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], code: str | None) -> RecordedRequest:
        if "web" in doc:
            return cls(web=WebCall.from_json(doc["web"]), code=code)
        return cls(params=dict(doc.get("params") or {}), code=code)


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """What the store gives back: the request, or, when it was cut, only its size and the
    beginning of its JSON."""

    request: RecordedRequest | None
    size: int
    prefix: str = ""
    code: str | None = None

    @property
    def cut(self) -> bool:
        return self.request is None


def bounded_text(text: str, limit: int = MAX_RECORDED_BYTES) -> tuple[str, int, bool]:
    """`text` as kept: itself, or its first `limit` bytes (whole characters); its size in
    bytes; whether it was cut."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text, len(encoded), False
    return encoded[:limit].decode("utf-8", errors="ignore"), len(encoded), True
