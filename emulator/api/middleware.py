"""The one middleware: request ids, the Host and Origin checks, CORS, authentication, the
entity names, and the one place errors become responses.

Web function routes (`/api/v1/web/...`) take no key, accept any Origin, get no REST CORS
headers (the handler names theirs) and have their errors pretty-printed, as the platform
prints them.

DigitalOcean's own API (`/v2/functions/...`, the control plane doctl reaches with `--api-url`)
takes `Authorization: Bearer <access token>` and answers errors in its own shape,
`{"id": ..., "message": ...}`; everything under `/api/v1/namespaces` takes the namespace key
or one of its access keys as Basic credentials."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from emulator.api.bodies import SERVER_BODY_LIMIT
from emulator.api.doctl_host import ALIAS, unaliased
from emulator.api.names import check_entity_names
from emulator.api.origins import (
    REST_CORS_HEADERS,
    CrossOriginRefused,
    HostNotAllowed,
    Origins,
    is_same_origin,
)
from emulator.api.responses import json_response
from emulator.namespace.errors import (
    EmulatorError,
    InternalError,
    InvalidAccessToken,
    MethodNotAllowed,
    MissingCredentials,
    NamespaceNotFound,
    NotAuthorizedForResource,
    PayloadTooLarge,
    RouteNotFound,
    Unauthorized,
)
from emulator.services import SERVICES, Services
from emulator.settings import Credentials, Settings
from emulator.web_functions.address import WEB_PREFIX

logger = logging.getLogger(__name__)

REQUEST_ID = web.RequestKey("request_id", str)
# Headers a web handler wants on its answer, whatever it turns out to be (an error too): its
# CORS headers, and the activation id once there is one. The function's own headers win.
WEB_HEADERS = web.RequestKey("web_headers", dict)
# The origins the user let in with --cors-origin, and the Host names answered.
ORIGINS = web.AppKey("origins", Origins)
# Everything under these needs a key or a token; `/`, `/api/v1` and OPTIONS do not. The
# emulator's own routes (`/emulator/v1`, `/metrics`) take the key too.
OPENWHISK_PREFIX = "/api/v1/namespaces"
CONTROL_PLANE_PREFIX = "/v2/functions"
LOCAL_PREFIXES = ("/emulator/", "/metrics")
PROTECTED_PREFIXES = (OPENWHISK_PREFIX, CONTROL_PLANE_PREFIX, *LOCAL_PREFIXES)
# Those of them that take the namespace key (the control plane takes its token).
_KEYED_PREFIXES = (OPENWHISK_PREFIX, *LOCAL_PREFIXES)
# DigitalOcean's `id` for each status its API answers with (the 401's as the live API spells it).
_CONTROL_PLANE_IDS = {
    400: "bad_request",
    401: "Unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "too_many_requests",
}
# The dashboard checks its own session cookie, and is never shared with other origins.
DASHBOARD_PREFIX = "/dashboard"


def request_id(request: web.Request) -> str:
    """The transaction id: the caller's `X-Request-ID`, or a new one."""
    return request[REQUEST_ID]


def is_web(request: web.Request) -> bool:
    """Whether the request is for a web function."""
    return request.path == WEB_PREFIX or request.path.startswith(WEB_PREFIX + "/")


def is_control_plane(request: web.Request) -> bool:
    """Whether the request is for DigitalOcean's own API, not OpenWhisk's."""
    return request.path.startswith(CONTROL_PLANE_PREFIX + "/")


def error_response(error: EmulatorError, code: str, *, pretty: bool = False) -> web.Response:
    return json_response(
        {"error": error.message, "code": code},
        status=error.status,
        headers=error.headers,
        pretty=pretty,
    )


def control_plane_error_response(error: EmulatorError, request_id: str) -> web.Response:
    """DigitalOcean's error body: an id for the status, the message, the request id (its
    401 carries none)."""
    doc = {"id": _CONTROL_PLANE_IDS.get(error.status, "server_error"), "message": error.message}
    if error.status != 401:
        doc["request_id"] = request_id
    return json_response(doc, status=error.status, headers=error.headers)


def _render(request: web.Request, error: EmulatorError) -> web.Response:
    if is_control_plane(request):
        return control_plane_error_response(error, request_id(request))
    return error_response(error, request_id(request), pretty=is_web(request))


@web.middleware
async def front_door(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every request's one pass, in the platform's order: the `/doctl.co` alias resolved,
    the request id, the Host and Origin checks, the key, the entity names (after the key: a
    stranger learns nothing of the names), then the handler; any error becomes its JSON
    response here, and the answer gets the request id and the CORS headers.

    One middleware, not a chain: each layer of a chain is a coroutine frame that every
    resumption of the handler passes through, and the profile put the seven of them at a
    tenth of a warm invoke's time in the server."""
    if request.rel_url.raw_path.startswith(ALIAS):
        request = await unaliased(request)
    request[REQUEST_ID] = request.headers.get("X-Request-ID") or (
        request.app[SERVICES].ids.transaction_id()
    )
    try:
        _admit(request)
        response = await handler(request)
    except EmulatorError as error:
        response = _render(request, error)
    except web.HTTPMethodNotAllowed as error:
        # HEAD and OPTIONS are answered everywhere; only a real method makes the route exist.
        allowed = sorted(set(error.allowed_methods) - {"HEAD", "OPTIONS"})
        response = _render(request, MethodNotAllowed(allowed) if allowed else RouteNotFound())
    except web.HTTPNotFound:
        response = _render(request, RouteNotFound())
    except web.HTTPRequestEntityTooLarge:
        # Past the server's own limit: the platform's JSON error, not aiohttp's text.
        response = _render(
            request, PayloadTooLarge("Request", request.content_length, SERVER_BODY_LIMIT)
        )
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("internal error answering %s %s", request.method, request.path)
        response = _render(request, InternalError())
    response.headers["X-Request-ID"] = request_id(request)
    if is_web(request):
        for name, value in request.get(WEB_HEADERS, {}).items():
            response.headers.setdefault(name, value)
    elif (granted := _cors_grant(request)) is not None:
        response.headers.update(REST_CORS_HEADERS)
        response.headers["Access-Control-Allow-Origin"] = granted
        response.headers.add("Vary", "Origin")
    return response


def _admit(request: web.Request) -> None:
    """The checks before any handler: Host, Origin, the key, the entity names."""
    origins = request.app[ORIGINS]
    headers = request.headers
    host = headers.get("Host")
    # Only this machine's names: a page whose name was rebound to 127.0.0.1 is refused.
    if not origins.allows_host(host):
        raise HostNotAllowed(host or "")
    path = request.path
    # The API answers no other web page unless the user let it in (web functions and the
    # dashboard have their own rules).
    origin = headers.get("Origin")
    if (
        origin is not None
        and not is_web(request)
        and not path.startswith(DASHBOARD_PREFIX)
        and not is_same_origin(request, origin)
        and origins.grant(origin) is None
    ):
        raise CrossOriginRefused(origin)
    if request.method != "OPTIONS":
        services = request.app[SERVICES]
        header = headers.get("Authorization")
        if is_control_plane(request):
            authenticate_control_plane(header, services.settings)
            _check_control_plane_namespace(request, services)
        elif path.startswith(_KEYED_PREFIXES):
            authenticate(header, services.settings.credentials)
            _check_namespace(request, services)
    check_entity_names(request)


def _cors_grant(request: web.Request) -> str | None:
    """Access-Control-Allow-Origin for a page the user let in with --cors-origin."""
    origin = request.headers.get("Origin")
    if origin is None or request.path.startswith(DASHBOARD_PREFIX):
        return None
    return request.app[ORIGINS].grant(origin)


def _check_namespace(request: web.Request, services: Services) -> None:
    namespace = request.match_info.get("ns")
    if namespace not in (None, "_", services.registry.namespace):
        entity = request.match_info.get("name")
        raise NotAuthorizedForResource(f"{namespace}/{entity}" if entity else namespace)


def _check_control_plane_namespace(request: web.Request, services: Services) -> None:
    if request.match_info.get("ns") not in (None, "_", services.registry.namespace):
        raise NamespaceNotFound()


def is_authenticated(header: str | None, credentials: Credentials) -> bool:
    """Whether the Authorization header carries the namespace's key (web routes take none,
    but one that is sent names the caller)."""
    try:
        authenticate(header, credentials)
    except Unauthorized:
        return False
    return True


def authenticate(header: str | None, credentials: Credentials) -> None:
    """Basic `base64(uuid:key)`, or the bare token DigitalOcean's docs show; or Basic
    `base64(dof_v1_<id>:<secret>)`, an access key, as doctl sends one after
    `connect --access-key`."""
    if not header:
        raise MissingCredentials()
    scheme, _, token = header.strip().partition(" ")
    if not token:
        scheme, token = "basic", scheme
    if scheme.lower() != "basic" or not (
        credentials.matches_token(token) or credentials.matches_access_key_token(token)
    ):
        raise Unauthorized()


def authenticate_control_plane(header: str | None, settings: Settings) -> None:
    """`Bearer <access token>`, as doctl sends its DigitalOcean token; the namespace key as
    Basic credentials too (the emulator's own `triggers` commands send it)."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), settings.api_token.encode()
    ):
        return
    if scheme.lower() == "basic" and settings.credentials.matches_token(token):
        return
    raise InvalidAccessToken()
