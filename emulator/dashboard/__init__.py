"""The local dashboard: functions, live activations, logs, an invoke form and the triggers,
in the browser at `/dashboard/`, behind a session opened with the emulator's key."""

from __future__ import annotations

from aiohttp import web

from emulator.dashboard import api, pages
from emulator.dashboard.hub import EventHub
from emulator.dashboard.session import Sessions
from emulator.dashboard.state import DASHBOARD, DashboardState
from emulator.namespace.clock import Clock
from emulator.services import SERVICES

__all__ = ["DASHBOARD", "dashboard_link", "setup_dashboard"]

API = "/dashboard/api"


def setup_dashboard(app: web.Application, *, clock: Clock, login_token: str) -> EventHub:
    """Add the dashboard's routes and state; the returned hub must hear every activation.
    `login_token` opens a session from the banner's link; sessions age on `clock`."""
    state = DashboardState(Sessions(clock), login_token)
    app[DASHBOARD] = state
    app.on_shutdown.append(_end_streams)
    app.add_routes(
        [
            # Browsers asking for `/` are sent to the dashboard; API clients get the root document.
            web.get("/", pages.root),
            web.get("/dashboard", _home),
            web.get("/dashboard/login", pages.login_page),
            web.post("/dashboard/login", pages.login),
            web.post("/dashboard/logout", pages.logout),
            web.static("/dashboard/static", pages.STATIC_DIR),
            web.get(API + "/overview", api.overview),
            web.get(API + "/status", api.status),
            web.get(API + "/activations", api.list_activations),
            web.get(API + "/activations/{id}", api.get_activation),
            web.get(API + "/activations/{id}/raw", api.raw_activation),
            web.post(API + "/activations/{id}/replay", api.replay),
            web.get(API + "/activations/{id}/test", api.activation_test),
            web.post(API + "/invoke", api.invoke),
            web.get(API + "/triggers", api.list_triggers),
            web.post(API + "/triggers/{name}/fire", api.fire_trigger),
            web.get(API + "/events", api.events),
            web.get("/dashboard/", pages.page),
            web.get("/dashboard/activations/{id}", pages.page),
            web.get("/dashboard/{page}", pages.page),
        ]
    )
    return state.hub


def dashboard_link(app: web.Application) -> str:
    """The banner's link: it logs the browser in, then leaves a clean address."""
    api_host = app[SERVICES].settings.api_host
    return f"{api_host}/dashboard/login?token={app[DASHBOARD].login_token}"


async def _home(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/dashboard/")


async def _end_streams(app: web.Application) -> None:
    app[DASHBOARD].hub.close()
