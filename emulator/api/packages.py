"""`/api/v1/namespaces/{ns}/packages`: list, get, create or update, and delete packages."""

from __future__ import annotations

from aiohttp import web

from emulator.api import queries
from emulator.api.bodies import entity_object
from emulator.api.responses import json_response
from emulator.namespace.documents import package_summary_json, package_to_json
from emulator.namespace.errors import NotFound
from emulator.services import SERVICES


async def list_packages(request: web.Request) -> web.Response:
    packages = request.app[SERVICES].registry.packages()
    return json_response(queries.page(request, "packages", packages, package_summary_json))


async def get_package(request: web.Request) -> web.Response:
    registry = request.app[SERVICES].registry
    package = registry.package(request.match_info["name"])
    if package is None:
        raise NotFound()
    return json_response(package_to_json(package, actions=registry.actions(package.name)))


async def put_package(request: web.Request) -> web.Response:
    package = await request.app[SERVICES].deployments.put_package(
        request.match_info["name"],
        await entity_object(request),
        overwrite=queries.boolean(request, "overwrite"),
    )
    return json_response(package_to_json(package))


async def delete_package(request: web.Request) -> web.Response:
    package = await request.app[SERVICES].deployments.delete_package(
        request.match_info["name"], force=queries.boolean(request, "force")
    )
    return json_response(package_to_json(package))
