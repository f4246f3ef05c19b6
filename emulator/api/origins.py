"""Which hosts the server answers, and which web pages may call its API from a browser.

The emulator runs on the developer's own machine, so the developer's own browser is the way
in for any page it visits: a page can send requests to 127.0.0.1, and DNS rebinding can make
a page's own host name resolve to it. Two rules close both:

- the Host header must name this machine (the loopback names, the bind address, or a host
  given with `--allowed-host`): a rebound name never does, as Django's `ALLOWED_HOSTS` and
  Vite's dev server check it;
- a request that says it comes from another origin (`Origin`) gets no CORS grant and a 403,
  unless that origin was given with `--cors-origin`. Web functions keep the platform's CORS:
  they are public by design.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from aiohttp import web

from emulator.namespace.errors import EmulatorError

# Any host, or any origin: what `--allowed-host '*'` and `--cors-origin '*'` give.
ANYTHING = "*"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
# The platform's REST CORS headers, for the origins a user let in.
REST_CORS_HEADERS = {
    "Access-Control-Allow-Headers": (
        "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent"
    ),
    "Access-Control-Allow-Methods": "GET, DELETE, POST, PUT, HEAD",
}


class HostNotAllowed(EmulatorError):
    status: ClassVar[int] = 403

    def __init__(self, host: str) -> None:
        super().__init__(
            f"The host '{host}' is not allowed: this emulator answers requests for this "
            "machine only (127.0.0.1, localhost, [::1] and its --host). Start it with "
            f"--allowed-host {host} if that name is yours."
        )


class CrossOriginRefused(EmulatorError):
    status: ClassVar[int] = 403

    def __init__(self, origin: str) -> None:
        super().__init__(
            f"Requests from the web page at '{origin}' are not allowed: a page in your browser "
            "may not call this API. Start the emulator with --cors-origin "
            f"{origin} to let that front-end call it."
        )


@dataclass(frozen=True, slots=True)
class Origins:
    """The hosts this server answers, and the origins whose pages may call its API."""

    hosts: frozenset[str]
    cors: frozenset[str]

    @classmethod
    def of(cls, bind: str, allowed_hosts: Iterable[str], cors_origins: Iterable[str]) -> Origins:
        hosts = {*LOOPBACK_NAMES, _normal_host(bind), *map(_normal_host, allowed_hosts)}
        return cls(frozenset(hosts), frozenset(o.rstrip("/").lower() for o in cors_origins))

    def allows_host(self, header: str | None) -> bool:
        """A request without Host (no browser sends one) is not a rebinding."""
        if header is None or ANYTHING in self.hosts:
            return True
        return _normal_host(host_name(header)) in self.hosts

    def grant(self, origin: str) -> str | None:
        """The Access-Control-Allow-Origin value for a page at `origin`, if it is let in."""
        if ANYTHING in self.cors:
            return ANYTHING
        return origin if origin.rstrip("/").lower() in self.cors else None


def host_name(header: str) -> str:
    """The host of a Host header, without its port: `[::1]:3233` → `::1`."""
    header = header.strip()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    name, _, port = header.rpartition(":")
    return name if name and port.isdigit() else header


def _normal_host(name: str) -> str:
    name = name.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    # `localhost.` is `localhost`, as DNS reads it.
    return name[:-1] if name.endswith(".") and name != "." else name


def is_same_origin(request: web.Request, origin: str) -> bool:
    """Whether `origin` is this server as the request addressed it (its Host, once allowed)."""
    return origin.rstrip("/").lower() == f"{request.scheme}://{request.host}".lower()
