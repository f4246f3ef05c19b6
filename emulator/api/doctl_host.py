"""The OpenWhisk API under `/doctl.co` too: the API host the control plane lists for a `fn-`
namespace, so that doctl's rewrite of it leaves a host that works.

`doctl serverless connect` (without its hidden `--apihost`) takes the namespace's API host from
`GET /v2/functions/namespaces/{ns}` and, for a namespace whose name starts with `fn-`, replaces
the last dot-separated label of it with `co` (doctl do/serverless.go `assignAPIHost`: the
platform's hosts moved from `.io` to `.co`). `http://127.0.0.1:3233` would become
`http://127.0.0.co`, which is nowhere. A host that already ends in `.co` comes back unchanged,
so the emulator lists `http://127.0.0.1:3233/doctl.co` and serves every `/api/v1` request
under that path as the same request without it.
"""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from emulator.namespace.errors import RouteNotFound

ALIAS = "/doctl.co"
# Only the OpenWhisk API lives under the alias: not the dashboard, not the control plane.
SERVED = "/api/v1"


def listed_api_host(origin: str, namespace: str) -> str:
    """The API host the control plane lists: one that doctl's rewrite leaves as it is."""
    return origin + ALIAS if namespace.startswith("fn-") else origin


async def unaliased(request: web.Request) -> web.Request:
    """An aliased request as the request without the alias, routed again (any other request
    as it is): the front door does this first, so the rest sees the API's own path."""
    inner = request.rel_url.raw_path.removeprefix(ALIAS)
    if inner != request.rel_url.raw_path and (inner == SERVED or inner.startswith(SERVED + "/")):
        return await _routed(request, inner)
    return request


async def _routed(request: web.Request, path: str) -> web.Request:
    url = URL.build(path=path, query_string=request.rel_url.raw_query_string, encoded=True)
    inner = request.clone(rel_url=url)
    match_info = await request.app.router.resolve(inner)
    match_info.add_app(request.app)
    match_info.freeze()
    # As aiohttp's own normalize_path_middleware routes a request again.
    inner._match_info = match_info
    return inner


async def dispatch(request: web.Request) -> web.StreamResponse:
    """The route under the alias: the handler of the path without it (or of its 404/405)."""
    if request.path.startswith(ALIAS):
        raise RouteNotFound()  # not part of the aliased API
    return await request.match_info.handler(request)
