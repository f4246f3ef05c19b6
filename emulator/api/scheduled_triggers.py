"""`/v2/functions/namespaces/{ns}/triggers`: DigitalOcean's scheduled triggers (list, get,
update, delete, as doctl's `triggers` commands and its `undeploy` call them), and firing one."""

from __future__ import annotations

from aiohttp import web

from emulator.api.bodies import json_object
from emulator.api.responses import json_response
from emulator.namespace.documents import scheduled_trigger_to_json
from emulator.namespace.entity_bodies import ScheduledTriggerUpdate
from emulator.services import SERVICES


async def list_triggers(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    namespace = services.settings.namespace
    triggers = [scheduled_trigger_to_json(s, namespace) for s in services.scheduler.states()]
    return json_response({"triggers": triggers})


async def get_trigger(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    state = services.scheduler.state(request.match_info["name"])
    return json_response({"trigger": scheduled_trigger_to_json(state, services.settings.namespace)})


async def update_trigger(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    update = ScheduledTriggerUpdate.parse(await json_object(request))
    state = services.scheduler.update(
        request.match_info["name"], enabled=update.enabled, cron=update.cron, body=update.body
    )
    return json_response({"trigger": scheduled_trigger_to_json(state, services.settings.namespace)})


async def delete_trigger(request: web.Request) -> web.Response:
    request.app[SERVICES].scheduler.remove(request.match_info["name"])
    return web.Response(status=204)


async def fire_trigger(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    services.throttle.fire(services.registry.namespace)
    # Asynchronous, as a scheduled firing is: the record appears when the function ends.
    activation_id = await services.scheduler.fire(request.match_info["name"])
    return json_response({"activationId": activation_id}, status=202)
