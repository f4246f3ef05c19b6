"""The dashboard's HTML: the login page, and one page shell per view (its script fills it)."""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from emulator.api import meta
from emulator.dashboard.guards import CrossSiteRequest, logged_in, same_origin
from emulator.dashboard.session import (
    COOKIE,
    COOKIE_PATH,
    LIFETIME_SECONDS,
    key_matches,
    token_matches,
)
from emulator.dashboard.state import DASHBOARD
from emulator.services import SERVICES

STATIC_DIR = Path(__file__).parent / "static"
HOME = "/dashboard/"
LOGIN = "/dashboard/login"
PAGES = frozenset({"functions", "activations", "activation", "invoke", "triggers"})
WRONG_KEY = "That is not this emulator's key. The banner prints it as “Auth key”."
HTML_HEADERS = {
    "Cache-Control": "no-store",
    # Everything the pages load comes from the emulator itself.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    # Not no-referrer: with it, a form post says `Origin: null` and cannot prove itself.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


async def root(request: web.Request) -> web.StreamResponse:
    """Browsers get the dashboard; API clients the OpenWhisk root document they read."""
    if _prefers_html(request):
        raise web.HTTPSeeOther(HOME)
    return await meta.info(request)


def _prefers_html(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "application/json" not in accept.split(",")[0]


async def login_page(request: web.Request) -> web.Response:
    """The form; or, from the banner's link, a session and a redirect that drops the token."""
    state = request.app[DASHBOARD]
    token = request.query.get("token")
    if token is not None:
        if token_matches(token, state.login_token):
            return _logged_in(request, state.sessions.open(), HOME)
        return _login_form(request, "That login link is not this emulator's.", status=401)
    if logged_in(request):
        raise web.HTTPSeeOther(HOME)
    return _login_form(request, None)


async def login(request: web.Request) -> web.Response:
    if not same_origin(request):
        return _login_form(request, "Log in from the dashboard's own page.", status=403)
    form = await request.post()
    key = form.get("key")
    if not isinstance(key, str) or not key_matches(key, request.app[SERVICES].settings.credentials):
        return _login_form(request, WRONG_KEY, status=401)
    target = form.get("next")
    if not isinstance(target, str) or not target.startswith(HOME) or "//" in target:
        target = HOME
    return _logged_in(request, request.app[DASHBOARD].sessions.open(), target)


async def logout(request: web.Request) -> web.Response:
    # Like every other change: a page elsewhere may not end the session either.
    if not same_origin(request):
        raise CrossSiteRequest()
    request.app[DASHBOARD].sessions.close(request.cookies.get(COOKIE))
    response = web.HTTPSeeOther(LOGIN)
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    raise response


def _logged_in(request: web.Request, session_id: str, target: str) -> web.Response:
    # See Other to a clean URL: the token link is not what the address bar keeps.
    response = web.Response(status=303, headers={"Location": target, **HTML_HEADERS})
    response.set_cookie(
        COOKIE,
        session_id,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        max_age=LIFETIME_SECONDS,
    )
    return response


def _login_form(request: web.Request, error: str | None, *, status: int = 200) -> web.Response:
    template = (STATIC_DIR / "login.html").read_text()
    target = request.query.get("next", HOME)
    body = template.replace("{{error}}", _error_block(error)).replace(
        "{{next}}", html.escape(target if target.startswith(HOME) else HOME)
    )
    return web.Response(text=body, status=status, content_type="text/html", headers=HTML_HEADERS)


def _error_block(error: str | None) -> str:
    if error is None:
        return ""
    return f'<p class="error" role="alert" id="login-error">{html.escape(error, quote=False)}</p>'


async def page(request: web.Request) -> web.Response:
    """A view's shell; without a session, the login form (which comes back here)."""
    name = request.match_info.get("page") or "functions"
    if request.match_info.get("id"):
        name = "activation"
    if name not in PAGES or (name == "activation" and not request.match_info.get("id")):
        raise web.HTTPNotFound()
    if not logged_in(request):
        raise web.HTTPSeeOther(f"{LOGIN}?next={quote(request.path_qs, safe='/')}")
    template = (STATIC_DIR / "shell.html").read_text()
    return web.Response(
        text=template.replace("{{page}}", name),
        content_type="text/html",
        headers=HTML_HEADERS,
    )
