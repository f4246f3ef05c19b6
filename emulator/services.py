"""Services: what the HTTP layer reaches through its one typed application key."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from emulator.clock import Clock, IdFactory
from emulator.deployments import Deployments
from emulator.invoker.invoker import Invoker
from emulator.invoker.launchers import Launcher
from emulator.invoker.pool import WarmPool
from emulator.project import Project
from emulator.registry import Registry
from emulator.rules import Rules
from emulator.scheduler import Scheduler
from emulator.settings import Settings
from emulator.store.activations import ActivationStore
from emulator.store.entities import EntityStore
from emulator.throttling import Throttle


@dataclass(slots=True)
class Services:
    settings: Settings
    project: Project
    registry: Registry
    store: ActivationStore
    pool: WarmPool
    invoker: Invoker
    launchers: dict[str, Launcher]
    clock: Clock
    ids: IdFactory
    deployments: Deployments
    rules: Rules
    entities: EntityStore
    scheduler: Scheduler
    throttle: Throttle


SERVICES = web.AppKey("services", Services)
