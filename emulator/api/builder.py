"""`/api/v1/namespaces/nimbella/actions/builder/{name}`: the platform's builder functions that a
remote build invokes, and the URL its slices are uploaded to (see emulator/builder)."""

from __future__ import annotations

from aiohttp import web

from emulator.api.actions import ACTIVATION_ID_HEADER
from emulator.api.bodies import json_object
from emulator.api.responses import json_response
from emulator.services import SERVICES


async def invoke(request: web.Request) -> web.Response:
    builder = request.app[SERVICES].builder
    activation_id = await builder.invoke(
        request.match_info["name"], await json_object(request), origin=str(request.url.origin())
    )
    # As an invoke that does not wait: the deployer polls the record.
    return json_response(
        {"activationId": activation_id},
        status=202,
        headers={ACTIVATION_ID_HEADER: activation_id},
    )


async def upload_slice(request: web.Request) -> web.Response:
    request.app[SERVICES].builder.receive(request.match_info["slice"], await request.read())
    return web.Response(status=200)
