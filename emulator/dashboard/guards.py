"""The dashboard's gatekeeping: a session for everything, a same-origin mark for changes."""

from __future__ import annotations

from typing import ClassVar

from aiohttp import web

from emulator.dashboard.session import COOKIE
from emulator.dashboard.state import DASHBOARD
from emulator.namespace.errors import EmulatorError

# Sent by the dashboard's own script: a cross-site form cannot send it, and a cross-site
# script cannot without a preflight that the emulator never grants.
SAME_ORIGIN_HEADER = "X-Dashboard-Request"


class LoginRequired(EmulatorError):
    status: ClassVar[int] = 401
    default_message: ClassVar[str] = "Log in to the dashboard first."


class CrossSiteRequest(EmulatorError):
    status: ClassVar[int] = 403
    default_message: ClassVar[str] = (
        f"The dashboard only accepts changes from its own pages (the {SAME_ORIGIN_HEADER} header)."
    )


def logged_in(request: web.Request) -> bool:
    return request.app[DASHBOARD].sessions.valid(request.cookies.get(COOKIE))


def require_session(request: web.Request) -> None:
    if not logged_in(request):
        raise LoginRequired()


def require_same_origin(request: web.Request) -> None:
    """For state-changing calls: the session, and proof that the dashboard itself sent them."""
    require_session(request)
    if request.headers.get(SAME_ORIGIN_HEADER) != "1" or not same_origin(request):
        raise CrossSiteRequest()


def same_origin(request: web.Request) -> bool:
    """No Origin (some same-origin requests send none), or this very host."""
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.host}"
