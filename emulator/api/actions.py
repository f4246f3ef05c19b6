"""`/api/v1/namespaces/{ns}/actions`: list, get and invoke functions."""

from __future__ import annotations

from aiohttp import web

from emulator.api import queries
from emulator.api.bodies import entity_object, json_object
from emulator.api.middleware import request_id
from emulator.api.responses import json_response
from emulator.namespace.code_bundles import read_code
from emulator.namespace.documents import action_summary_json, action_to_json, activation_to_json
from emulator.namespace.entities import StatusCode
from emulator.services import SERVICES

ACTIVATION_ID_HEADER = "x-openwhisk-activation-id"
_HTTP_STATUS = {
    StatusCode.SUCCESS: 200,
    StatusCode.APPLICATION_ERROR: 502,
    StatusCode.DEVELOPER_ERROR: 502,
    StatusCode.INTERNAL_ERROR: 500,
}


async def list_actions(request: web.Request) -> web.Response:
    actions = request.app[SERVICES].registry.actions(request.match_info.get("package"))
    return json_response(queries.page(request, "actions", actions, action_summary_json))


async def get_action(request: web.Request) -> web.Response:
    registry = request.app[SERVICES].registry
    action = registry.action(request.match_info["name"])
    package = registry.package(action.package)
    parameters = (*(package.parameters if package else ()), *action.parameters)
    code = await read_code(action.exec) if queries.boolean(request, "code", default=True) else None
    return json_response(action_to_json(action, parameters=parameters, code=code))


async def invoke(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    blocking = queries.boolean(request, "blocking")
    result_only = queries.boolean(request, "result")
    wait = queries.blocking_wait(
        request, services.settings.answer_wait_for(request.match_info["name"])
    )
    params = await json_object(request)
    invocation = await services.throttle.invocation(
        services.registry.namespace,
        lambda: services.invoker.invoke(
            request.match_info["name"], params, request_id=request_id(request), blocking=blocking
        ),
    )
    headers = {ACTIVATION_ID_HEADER: invocation.activation_id}
    activation = await invocation.wait(wait) if blocking else None
    if activation is None:
        # Non-blocking, or blocking past the wait: the function runs on, recorded later.
        return json_response(
            {"activationId": invocation.activation_id}, status=202, headers=headers
        )
    status = _HTTP_STATUS[activation.response.status_code]
    # The blocking answer leaves before the logs are collected on the platform.
    body = (
        activation.response.result
        if result_only
        else activation_to_json(activation, with_logs=False)
    )
    return json_response(body, status=status, headers=headers)


async def put_action(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    action = await services.deployments.put_action(
        request.match_info["name"],
        await entity_object(request),
        overwrite=queries.boolean(request, "overwrite"),
    )
    return json_response(
        action_to_json(action, parameters=action.parameters, code=await read_code(action.exec))
    )


async def delete_action(request: web.Request) -> web.Response:
    deleted = await request.app[SERVICES].deployments.delete_action(request.match_info["name"])
    action = deleted.action
    return json_response(action_to_json(action, parameters=action.parameters, code=deleted.code))
