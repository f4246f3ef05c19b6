"""`/api/v1/namespaces/{ns}/triggers` and `/rules`: the minimal collections clients list,
and firing a trigger."""

from __future__ import annotations

from aiohttp import web

from emulator.api import queries
from emulator.api.bodies import entity_object, json_object
from emulator.api.middleware import request_id
from emulator.api.responses import json_response
from emulator.namespace.documents import rule_to_json, trigger_to_json
from emulator.services import SERVICES


async def list_triggers(request: web.Request) -> web.Response:
    triggers = request.app[SERVICES].rules.triggers()
    return json_response(queries.page(request, "triggers", triggers, trigger_to_json))


async def get_trigger(request: web.Request) -> web.Response:
    rules = request.app[SERVICES].rules
    name = request.match_info["name"]
    return json_response(trigger_to_json(rules.trigger(name), rules.rules_of(name)))


async def put_trigger(request: web.Request) -> web.Response:
    trigger = request.app[SERVICES].rules.put_trigger(
        request.match_info["name"],
        await entity_object(request),
        overwrite=queries.boolean(request, "overwrite"),
    )
    return json_response(trigger_to_json(trigger))


async def delete_trigger(request: web.Request) -> web.Response:
    return json_response(
        trigger_to_json(request.app[SERVICES].rules.delete_trigger(request.match_info["name"]))
    )


async def fire_trigger(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    services.throttle.fire(services.registry.namespace)
    activation_id = await services.rules.fire(
        request.match_info["name"], await json_object(request), request_id=request_id(request)
    )
    if activation_id is None:
        # No active rule: the platform answers 204 with no body.
        return web.Response(status=204)
    return json_response({"activationId": activation_id}, status=202)


async def list_rules(request: web.Request) -> web.Response:
    rules = request.app[SERVICES].rules.rules()
    return json_response(queries.page(request, "rules", rules, rule_to_json))


async def get_rule(request: web.Request) -> web.Response:
    return json_response(rule_to_json(request.app[SERVICES].rules.rule(request.match_info["name"])))


async def put_rule(request: web.Request) -> web.Response:
    rule = request.app[SERVICES].rules.put_rule(
        request.match_info["name"],
        await entity_object(request),
        overwrite=queries.boolean(request, "overwrite"),
    )
    return json_response(rule_to_json(rule))


async def delete_rule(request: web.Request) -> web.Response:
    return json_response(
        rule_to_json(request.app[SERVICES].rules.delete_rule(request.match_info["name"]))
    )


async def set_rule_status(request: web.Request) -> web.Response:
    body = await json_object(request)
    rule = request.app[SERVICES].rules.set_status(request.match_info["name"], body.get("status"))
    return json_response(rule_to_json(rule))
