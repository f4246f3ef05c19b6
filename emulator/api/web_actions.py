"""`/api/v1/web/{ns}/{package|default}/{function}[.ext][/extra]`: web functions, no key needed."""

from __future__ import annotations

from aiohttp import web
from multidict import CIMultiDict

from emulator.api.actions import ACTIVATION_ID_HEADER
from emulator.api.bodies import limited_body
from emulator.api.middleware import WEB_HEADERS, is_authenticated, request_id
from emulator.api.responses import json_response
from emulator.namespace.errors import IncompleteWebPath
from emulator.namespace.recordings import RecordedRequest, WebCall
from emulator.services import SERVICES
from emulator.web_functions import access
from emulator.web_functions.address import extra_path, split_extension
from emulator.web_functions.event import WebRequest, platform_headers, web_event
from emulator.web_functions.response import RESPONSE_NOT_READY, web_reply

# Marks the record of a web call: the platform's REST invokes have no such annotation.
WEB_ANNOTATIONS = {"web": True}


async def invoke(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    headers: dict[str, str] = {}
    request[WEB_HEADERS] = headers
    # 1. the size, then the function, then what the platform answers before invoking it
    body = await limited_body(request)
    name, extension = split_extension(request.match_info["name"])
    action = access.find_web_function(
        services.registry, request.match_info["ns"], request.match_info["package"], name
    )
    requested = request.headers.get("Access-Control-Request-Headers")
    headers.update(access.cors_headers(action, requested))
    if access.answers_preflight(action, request.method):
        return web.Response(status=200)
    authenticated = is_authenticated(
        request.headers.get("Authorization"), services.settings.credentials
    )
    access.check_access(
        action,
        method=request.method,
        secret=request.headers.get(access.SECRET_HEADER),
        authenticated=authenticated,
    )
    # 2. the event, and a blocking call: web calls cannot be asynchronous
    raw = access.raw_http(action)
    event = web_event(_web_request(request, body, authenticated), raw=raw)
    # The owner's namespace is throttled, as on the platform.
    invocation = await services.throttle.invocation(
        action.namespace,
        lambda: services.invoker.invoke(
            action.path,
            event,
            request_id=request_id(request),
            check_final=not raw,
            annotations=WEB_ANNOTATIONS,
            blocking=True,
            request=RecordedRequest(web=_web_call(request, body, event.get("__ow_user"))),
        ),
    )
    headers[ACTIVATION_ID_HEADER] = invocation.activation_id
    activation = await invocation.wait(services.settings.answer_wait_for(action.path))
    if activation is None:
        # Still running after the blocking wait: the platform answers 202, shaped as its errors.
        not_ready = {"error": RESPONSE_NOT_READY, "code": request_id(request)}
        return json_response(not_ready, status=202, pretty=True)
    # 3. the result, through the URL's extension
    reply = web_reply(activation.response, extension)
    response = web.Response(status=reply.status, headers=CIMultiDict(reply.headers))
    if reply.content_type is not None:
        response.body = reply.body
        response.headers["Content-Type"] = reply.content_type
    return response


async def incomplete_path(request: web.Request) -> web.StreamResponse:
    """A web URL without all of namespace, package and function."""
    raise IncompleteWebPath()


def _web_call(request: web.Request, body: bytes, user: object) -> WebCall:
    """The request as a replay sends it again."""
    return WebCall.replayable(
        request.method,
        f"{request.match_info['package']}/{request.match_info['name']}",
        extra_path(request.raw_path),
        request.rel_url.raw_query_string,
        request.headers.items(),
        body,
        user if isinstance(user, str) else None,
    )


def _web_request(request: web.Request, body: bytes, authenticated: bool) -> WebRequest:
    services = request.app[SERVICES]
    return WebRequest(
        method=request.method,
        headers=platform_headers(
            request.headers.items(),
            client=request.remote,
            scheme=request.scheme,
            request_id=request_id(request),
        ),
        path=extra_path(request.raw_path),
        query=request.rel_url.raw_query_string,
        body=body,
        user=services.registry.namespace if authenticated else None,
    )
