"""`/v2/functions/namespaces`: DigitalOcean's list of the account's namespaces, and one of
them, as `doctl serverless connect` and `doctl serverless namespaces list` read them."""

from __future__ import annotations

from aiohttp import web

from emulator.api.doctl_host import listed_api_host
from emulator.api.responses import json_response
from emulator.namespace.documents import namespace_info_to_json
from emulator.namespace.entities import JSON
from emulator.services import SERVICES


def _info(request: web.Request) -> dict[str, JSON]:
    services = request.app[SERVICES]
    credentials = services.settings.credentials
    namespace = services.registry.namespace
    return namespace_info_to_json(
        namespace,
        # The host the caller reached, as the platform lists its own public host.
        api_host=listed_api_host(str(request.url.origin()), namespace),
        uuid=credentials.uuid,
        key=credentials.key,
        created_ms=services.started_ms,
    )


async def list_namespaces(request: web.Request) -> web.Response:
    return json_response({"namespaces": [_info(request)]})


async def get_namespace(request: web.Request) -> web.Response:
    return json_response({"namespace": _info(request)})
