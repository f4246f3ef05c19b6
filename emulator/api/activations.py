"""`/api/v1/namespaces/{ns}/activations`: records, their logs and results."""

from __future__ import annotations

import re

from aiohttp import web

from emulator.api import queries
from emulator.api.responses import json_response
from emulator.namespace.documents import (
    activation_summary_json,
    activation_to_json,
    response_to_json,
)
from emulator.namespace.entities import Activation
from emulator.namespace.errors import ActivationNotFound, BadRequest
from emulator.services import SERVICES

_HEX = re.compile(r"\A[0-9a-f]{32}\Z")


async def list_activations(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    count = queries.boolean(request, "count")
    docs = queries.boolean(request, "docs")
    if count and docs:
        raise BadRequest("The parameter 'docs' is not permitted with 'count'.")
    namespace = services.registry.namespace
    name = queries.activation_name(request)
    since, upto = queries.epoch_ms(request, "since"), queries.epoch_ms(request, "upto")
    if count:
        total = await services.store.count(namespace=namespace, name=name, since=since, upto=upto)
        return json_response({"activations": total})
    activations = await services.store.list(
        namespace=namespace,
        name=name,
        since=since,
        upto=upto,
        limit=queries.list_limit(request, "activations"),
        skip=queries.skip(request, "activations"),
    )
    render = activation_to_json if docs else activation_summary_json
    return json_response([render(a) for a in activations])


async def get_activation(request: web.Request) -> web.Response:
    return json_response(activation_to_json(await _activation(request)))


async def get_logs(request: web.Request) -> web.Response:
    return json_response({"logs": list((await _activation(request)).logs)})


async def get_result(request: web.Request) -> web.Response:
    return json_response(response_to_json((await _activation(request)).response))


async def _activation(request: web.Request) -> Activation:
    activation_id = request.match_info["id"]
    if len(activation_id) != 32:
        raise BadRequest(f"Activation id length is {len(activation_id)} but must be 32.")
    if not _HEX.match(activation_id):
        raise BadRequest("The activation id is not valid.")
    activation = await request.app[SERVICES].store.get(activation_id)
    if activation is None or activation.namespace != request.app[SERVICES].registry.namespace:
        raise ActivationNotFound()
    return activation
