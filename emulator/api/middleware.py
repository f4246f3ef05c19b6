"""Request ids, the Host and Origin checks, CORS, authentication, and the one place errors
become responses.

Web function routes (`/api/v1/web/...`) take no key, accept any Origin, get no REST CORS
headers (the handler names theirs) and have their errors pretty-printed, as the platform
prints them."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from emulator.api.bodies import SERVER_BODY_LIMIT
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
    MethodNotAllowed,
    MissingCredentials,
    NotAuthorizedForResource,
    PayloadTooLarge,
    RouteNotFound,
    Unauthorized,
)
from emulator.services import SERVICES
from emulator.settings import Credentials
from emulator.web_functions.address import WEB_PREFIX

logger = logging.getLogger(__name__)

REQUEST_ID = web.RequestKey("request_id", str)
# Headers a web handler wants on its answer, whatever it turns out to be (an error too): its
# CORS headers, and the activation id once there is one. The function's own headers win.
WEB_HEADERS = web.RequestKey("web_headers", dict)
# The origins the user let in with --cors-origin, and the Host names answered.
ORIGINS = web.AppKey("origins", Origins)
# Everything under these needs the namespace's key; `/`, `/api/v1` and OPTIONS do not.
PROTECTED_PREFIXES = ("/api/v1/namespaces", "/v2/functions/namespaces")
# The dashboard checks its own session cookie, and is never shared with other origins.
DASHBOARD_PREFIX = "/dashboard"


def request_id(request: web.Request) -> str:
    """The transaction id: the caller's `X-Request-ID`, or a new one."""
    return request[REQUEST_ID]


def is_web(request: web.Request) -> bool:
    """Whether the request is for a web function."""
    return request.path == WEB_PREFIX or request.path.startswith(WEB_PREFIX + "/")


def error_response(error: EmulatorError, code: str, *, pretty: bool = False) -> web.Response:
    return json_response(
        {"error": error.message, "code": code},
        status=error.status,
        headers=error.headers,
        pretty=pretty,
    )


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get("X-Request-ID")
    request[REQUEST_ID] = incoming or request.app[SERVICES].ids.transaction_id()
    response = await handler(request)
    response.headers["X-Request-ID"] = request_id(request)
    if is_web(request):
        for name, value in request.get(WEB_HEADERS, {}).items():
            response.headers.setdefault(name, value)
    elif (granted := _cors_grant(request)) is not None:
        response.headers.update(REST_CORS_HEADERS)
        response.headers["Access-Control-Allow-Origin"] = granted
        response.headers.add("Vary", "Origin")
    return response


@web.middleware
async def host_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Only this machine's names: a page whose name was rebound to 127.0.0.1 is refused."""
    host = request.headers.get("Host")
    if not request.app[ORIGINS].allows_host(host):
        raise HostNotAllowed(host or "")
    return await handler(request)


@web.middleware
async def origin_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The API answers no other web page unless the user let it in (web functions and the
    dashboard have their own rules)."""
    origin = request.headers.get("Origin")
    if (
        origin is not None
        and not is_web(request)
        and not request.path.startswith(DASHBOARD_PREFIX)
        and not is_same_origin(request, origin)
        and request.app[ORIGINS].grant(origin) is None
    ):
        raise CrossOriginRefused(origin)
    return await handler(request)


def _cors_grant(request: web.Request) -> str | None:
    """Access-Control-Allow-Origin for a page the user let in with --cors-origin."""
    origin = request.headers.get("Origin")
    if origin is None or request.path.startswith(DASHBOARD_PREFIX):
        return None
    return request.app[ORIGINS].grant(origin)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    pretty = is_web(request)
    try:
        return await handler(request)
    except EmulatorError as error:
        return error_response(error, request_id(request), pretty=pretty)
    except web.HTTPMethodNotAllowed as error:
        # HEAD and OPTIONS are answered everywhere; only a real method makes the route exist.
        allowed = sorted(set(error.allowed_methods) - {"HEAD", "OPTIONS"})
        failure = MethodNotAllowed(allowed) if allowed else RouteNotFound()
        return error_response(failure, request_id(request), pretty=pretty)
    except web.HTTPNotFound:
        return error_response(RouteNotFound(), request_id(request), pretty=pretty)
    except web.HTTPRequestEntityTooLarge:
        # Past the server's own limit: the platform's JSON error, not aiohttp's text.
        too_large = PayloadTooLarge("Request", request.content_length, SERVER_BODY_LIMIT)
        return error_response(too_large, request_id(request), pretty=pretty)
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("internal error answering %s %s", request.method, request.path)
        return error_response(InternalError(), request_id(request), pretty=pretty)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method != "OPTIONS" and request.path.startswith(PROTECTED_PREFIXES):
        services = request.app[SERVICES]
        authenticate(request.headers.get("Authorization"), services.settings.credentials)
        namespace = request.match_info.get("ns")
        if namespace not in (None, "_", services.registry.namespace):
            entity = request.match_info.get("name")
            raise NotAuthorizedForResource(f"{namespace}/{entity}" if entity else namespace)
    return await handler(request)


@web.middleware
async def entity_name_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """After authentication, as on the platform: a stranger learns nothing of the names."""
    check_entity_names(request)
    return await handler(request)


def is_authenticated(header: str | None, credentials: Credentials) -> bool:
    """Whether the Authorization header carries the namespace's key (web routes take none,
    but one that is sent names the caller)."""
    try:
        authenticate(header, credentials)
    except Unauthorized:
        return False
    return True


def authenticate(header: str | None, credentials: Credentials) -> None:
    """Basic `base64(uuid:key)`, or the bare token DigitalOcean's docs show."""
    if not header:
        raise MissingCredentials()
    scheme, _, token = header.strip().partition(" ")
    if not token:
        scheme, token = "basic", scheme
    if scheme.lower() != "basic" or not credentials.matches_token(token):
        raise Unauthorized()
