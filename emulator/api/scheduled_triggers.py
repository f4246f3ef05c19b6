"""`/v2/functions/namespaces/{ns}/triggers`: DigitalOcean's scheduled triggers, and firing one."""

from __future__ import annotations

from aiohttp import web

from emulator.api.responses import json_response
from emulator.namespace.documents import scheduled_trigger_to_json
from emulator.services import SERVICES


async def list_triggers(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    namespace = services.settings.namespace
    triggers = [scheduled_trigger_to_json(s, namespace) for s in services.scheduler.states()]
    return json_response({"triggers": triggers})


async def fire_trigger(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    services.throttle.fire(services.registry.namespace)
    # Asynchronous, as a scheduled firing is: the record appears when the function ends.
    activation_id = await services.scheduler.fire(request.match_info["name"])
    return json_response({"activationId": activation_id}, status=202)
