"""`/dashboard/api/...`: the JSON the dashboard's pages read, its actions, and its live events."""

from __future__ import annotations

import asyncio
import contextlib
import json

from aiohttp import web

from emulator.api.bodies import limited_body
from emulator.api.middleware import request_id
from emulator.api.responses import json_response
from emulator.dashboard.guards import require_same_origin, require_session
from emulator.dashboard.hub import Event
from emulator.dashboard.state import DASHBOARD, DashboardState
from emulator.dashboard.views import (
    STATUSES,
    activation_detail,
    activation_row,
    function_view,
    trigger_view,
)
from emulator.namespace import nesting
from emulator.namespace.documents import activation_to_json
from emulator.namespace.entities import JSON, Activation
from emulator.namespace.errors import ActivationNotFound, MalformedContent, MalformedQueryParameter
from emulator.replay.replayer import NotReplayable, Replayer
from emulator.replay.test_source import render_test, test_file_name
from emulator.services import SERVICES, Services

PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
# How many calls the functions page charts per function.
RECENT_CALLS = 20
# How many records one pass of a status filter reads from the store.
SCAN_BATCH = 200
# Between two events, a stream says it is alive (and whether the last reload failed).
HEARTBEAT_SECONDS = 1.0
NO_STORE = {"Cache-Control": "no-store"}
ALIVE = Event("alive", None)


def _reply(doc: JSON, *, status: int = 200) -> web.Response:
    return json_response(doc, status=status, headers=NO_STORE)


async def overview(request: web.Request) -> web.Response:
    require_session(request)
    services = request.app[SERVICES]
    functions = []
    for action in sorted(services.registry.actions(), key=lambda a: a.path):
        recent = await services.store.list(
            namespace=services.settings.namespace, name=action.path, limit=RECENT_CALLS
        )
        problem = services.registry.build_hint(action.path) or services.invoker.problem(action)
        functions.append(
            function_view(
                action,
                api_host=services.settings.api_host,
                warm=services.pool.warm_count(action),
                recent=recent,
                problem=problem,
            )
        )
    return _reply(
        {
            "namespace": services.settings.namespace,
            "apiHost": services.settings.api_host,
            "project": str(services.project.location),
            "reloadFailure": request.app[DASHBOARD].reload_failure(),
            "functions": functions,
        }
    )


async def status(request: web.Request) -> web.Response:
    require_session(request)
    return _reply({"reloadFailure": request.app[DASHBOARD].reload_failure()})


async def list_activations(request: web.Request) -> web.Response:
    """Newest first, a page at a time, filtered by function and by status."""
    require_session(request)
    services = request.app[SERVICES]
    function = request.query.get("function") or None
    wanted = request.query.get("status") or None
    if wanted is not None and wanted not in STATUSES:
        raise MalformedQueryParameter("status", f"it must be one of: {', '.join(STATUSES)}.")
    page = _positive(request, "page", 1)
    limit = min(_positive(request, "limit", PAGE_SIZE), MAX_PAGE_SIZE)
    skip = (page - 1) * limit
    # One more than the page, to tell whether another page follows.
    found = await _matching(services, function, wanted, skip + limit + 1)
    rows = [activation_row(a) for a in found[skip : skip + limit]]
    more = len(found) > skip + limit
    return _reply({"rows": rows, "page": page, "limit": limit, "hasMore": more})


async def _matching(
    services: Services, function: str | None, wanted: str | None, count: int
) -> list[Activation]:
    namespace = services.settings.namespace
    if wanted is None:
        return await services.store.list(namespace=namespace, name=function, limit=count)
    # The store filters by function only; a status filter reads on in batches.
    found: list[Activation] = []
    skip = 0
    while len(found) < count:
        batch = await services.store.list(
            namespace=namespace, name=function, limit=SCAN_BATCH, skip=skip
        )
        found += [a for a in batch if a.response.status_code.status == wanted]
        if len(batch) < SCAN_BATCH:
            break
        skip += SCAN_BATCH
    return found[:count]


def _positive(request: web.Request, name: str, default: int) -> int:
    text = request.query.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < 1:
        raise MalformedQueryParameter(name, "it must be a positive integer.")
    return int(text)


async def get_activation(request: web.Request) -> web.Response:
    require_session(request)
    activation = await _activation(request)
    stored = await request.app[SERVICES].store.request(activation.activation_id)
    return _reply(activation_detail(activation, stored))


async def replay(request: web.Request) -> web.Response:
    """ "Run again": the same call as the CLI's replay, through the same replayer."""
    require_same_origin(request)
    replayed = await Replayer(request.app[SERVICES]).replay(
        request.match_info["id"], code="current", request_id=request_id(request)
    )
    record = None if replayed.replay is None else activation_to_json(replayed.replay)
    doc = {"activationId": replayed.activation_id, "record": record}
    return _reply(doc, status=200 if record is not None else 202)


async def activation_test(request: web.Request) -> web.Response:
    """The activation as a pytest test, downloaded: what `activations to-test` writes."""
    require_session(request)
    activation_id = request.match_info["id"]
    doc = await Replayer(request.app[SERVICES]).document(activation_id)
    try:
        source = render_test(doc, command="the dashboard's Download as a test")
    except ValueError as error:
        raise NotReplayable(str(error)) from None
    name = test_file_name(str(doc["function"])).rpartition("/")[2]
    return web.Response(
        text=source,
        content_type="text/x-python",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )


async def raw_activation(request: web.Request) -> web.Response:
    """The record exactly as the REST API returns it, readable in a browser tab."""
    require_session(request)
    activation = await _activation(request)
    return json_response(activation_to_json(activation), headers=NO_STORE, pretty=True)


async def _activation(request: web.Request) -> Activation:
    activation = await request.app[SERVICES].store.get(request.match_info["id"])
    if activation is None:
        raise ActivationNotFound()
    return activation


async def invoke(request: web.Request) -> web.Response:
    """The invoke form: the same invoker path as the REST API's, so recorded and limited alike."""
    require_same_origin(request)
    services = request.app[SERVICES]
    try:
        body = nesting.loads(await limited_body(request))
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedContent(str(error)) from None
    if not isinstance(body, dict) or not isinstance(body.get("function"), str):
        raise MalformedContent('Expected {"function": name, "params": {...}, "blocking": true}.')
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise MalformedContent(f"Expected a JSON object but got {type(params).__name__}.")
    blocking = body.get("blocking", True) is True
    invocation = await services.throttle.invocation(
        services.registry.namespace,
        lambda: services.invoker.invoke(
            body["function"], params, request_id=request_id(request), blocking=blocking
        ),
    )
    activation = None
    if blocking:
        activation = await invocation.wait(services.settings.answer_wait_for(body["function"]))
    return _reply(
        {
            "activationId": invocation.activation_id,
            "record": None if activation is None else activation_to_json(activation),
        },
        status=200 if activation is not None else 202,
    )


async def list_triggers(request: web.Request) -> web.Response:
    require_session(request)
    scheduler = request.app[SERVICES].scheduler
    states = scheduler.states()
    return _reply({"triggers": [trigger_view(s, firing=scheduler.firing) for s in states]})


async def fire_trigger(request: web.Request) -> web.Response:
    require_same_origin(request)
    services = request.app[SERVICES]
    name = request.match_info["name"]
    services.scheduler.state(name)  # an unknown trigger is a 404, before it is counted
    services.throttle.fire(services.registry.namespace)
    activation_id = await services.scheduler.fire(name)
    return _reply({"activationId": activation_id}, status=202)


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: each activation as it starts and ends, and the reload state."""
    require_session(request)
    state = request.app[DASHBOARD]
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    # A page that goes away ends its stream with a reset connection: nothing to report.
    with contextlib.suppress(ConnectionResetError):
        await _stream(response, state)
        await response.write_eof()
    return response


async def _stream(response: web.StreamResponse, state: DashboardState) -> None:
    failure = state.reload_failure()
    await _send(response, Event("reload", {"reloadFailure": failure}))
    async with state.hub.subscribe() as queue:
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                event = ALIVE
            if event is None:
                return
            if state.reload_failure() != failure:
                failure = state.reload_failure()
                await _send(response, Event("reload", {"reloadFailure": failure}))
            if event is ALIVE:
                await response.write(b": alive\n\n")
            else:
                await _send(response, event)


async def _send(response: web.StreamResponse, event: Event) -> None:
    data = json.dumps(event.data, separators=(",", ":"))
    await response.write(f"event: {event.name}\ndata: {data}\n\n".encode())
