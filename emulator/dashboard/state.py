"""DashboardState: what the dashboard keeps for one application, under one typed key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from emulator.dashboard.hub import EventHub
from emulator.dashboard.session import Sessions


@dataclass(slots=True)
class DashboardState:
    sessions: Sessions
    # The banner's login link carries it; random for each start.
    login_token: str
    hub: EventHub = field(default_factory=EventHub)
    # Why the last reload of the project failed, or None; set once the project is watched.
    reload_failure: Callable[[], str | None] = lambda: None


DASHBOARD = web.AppKey("dashboard", DashboardState)
