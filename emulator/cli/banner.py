"""The start banner: where the API is, with what key, and a first command to paste."""

from __future__ import annotations

import shlex

from emulator import __version__
from emulator.namespace.documents import rfc3339
from emulator.namespace.entities import Action
from emulator.namespace.runtimes import KINDS
from emulator.services import Services
from emulator.settings import Settings
from emulator.web_functions.access import SECRET_HEADER, raw_http
from emulator.web_functions.address import is_web_function, web_url


def _debugging(services: Services) -> list[str]:
    """`--debug`: which functions run under their debugger, and names that match none."""
    settings = services.settings
    if not settings.debug:
        return []
    if not settings.debug_functions:
        return ["  Debug      every function, no timeouts (each debugger's port is printed)"]
    known = {action.path for action in services.registry.actions()}
    named = ", ".join(settings.debug_functions)
    lines = [f"  Debug      {named}, no timeouts (each debugger's port is printed)"]
    unknown = [name for name in settings.debug_functions if name not in known]
    if unknown:
        lines.append(f"  Warning: --debug names no function of this project: {', '.join(unknown)}")
    return lines


def banner(services: Services, dashboard_link: str) -> str:
    """What `serve` prints once it listens; `dashboard_link` logs a browser in."""
    settings = services.settings
    host = settings.api_host
    key = settings.credentials.text
    actions = sorted(services.registry.actions(), key=lambda a: a.path)
    lines = [
        f"functions-emulator {__version__} serving {services.project.location}",
        f"  API host   {host}",
        f"  Namespace  {settings.namespace}",
        f"  Auth key   {key}",
        f"  Token      {settings.credentials.token}  (Authorization: Basic <token>)",
        f"  Records    {settings.database}",
        f"  Warm       {_warm(services)}",
        f"  Dashboard  {dashboard_link}  (logs this browser in)",
        *_debugging(services),
        "",
        "Runtimes",
    ]
    images = services.invoker.images
    for kind in KINDS.values():
        served = services.launchers[kind.family].describe(kind.name)
        state = images.state(kind.name) if images else None
        lines.append(f"  {served}; {state}" if state else f"  {served}")
    # Each function says whether project.yml's files or a deploy through the API serve it.
    lines += ["", f"Functions ({len(actions)})"]
    width = max((len(a.path) for a in actions), default=0)
    for action in actions:
        url = f"{host}/api/v1/namespaces/{settings.namespace}/actions/{action.path}"
        origin = services.registry.origin(action.path).value
        lines.append(f"  {action.path:<{width}}  {action.exec.kind:<12} {origin:<7} POST {url}")
        if is_web_function(action):
            lines.append(
                f"  {'':<{width}}  {'':<12} {'':<7} WEB  {web_url(host, action)}{_web_note(action)}"
            )
    # The deployer's own warnings begin with "Warning: "; the rest say what they are.
    lines += [f"  {warning}" for warning in services.project.warnings]
    lines += _building(services)
    lines += _cannot_run(services)
    lines += _triggers(services)
    if actions:
        # A greeting is the friendliest first call, when the project has one.
        first = next((a for a in actions if a.name == "hello"), actions[0])
        example = f"{host}/api/v1/namespaces/_/actions/{first.path}?blocking=true&result=true"
        lines += [
            "",
            "Try it",
            f"  curl -u {shlex.quote(key)} -X POST {shlex.quote(example)} "
            "-H 'Content-Type: application/json' -d '{}'",
        ]
    lines += [
        "",
        *doctl_lines(settings),
        "Point nim at it",
        f"  nim auth login --apihost {host} --auth {key}",
        "SDKs (the openwhisk npm client and others) read",
        f"  __OW_API_HOST={host} __OW_API_KEY={key}",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def doctl_lines(settings: Settings) -> list[str]:
    """doctl's setup, to paste into a shell: its access token and the control plane's URL (what
    `--api-url` sets), then `connect`, which reads this emulator's namespace from it."""
    host = settings.api_host
    token = shlex.quote(settings.api_token)
    return [
        "Point doctl at it (after `doctl serverless install`, which needs the internet once)",
        f"  export DIGITALOCEAN_ACCESS_TOKEN={token} DIGITALOCEAN_API_URL={host}",
        "  doctl serverless connect",
        f"  Access key  {settings.credentials.first_access_key}"
        f"  (doctl serverless connect {settings.namespace} --access-key KEY)",
    ]


def _warm(services: Services) -> str:
    """How many idle processes are kept, and for how long."""
    settings = services.settings
    if settings.cold:
        return "none: every call starts a new process (--cold)"
    minutes = f"{settings.idle_seconds / 60:g} minutes"
    cap = settings.max_idle_processes
    if cap is None:
        return f"idle processes kept {minutes} each, any number of them"
    return f"up to {cap} idle processes (the least recently used stops first), {minutes} each"


def _web_note(action: Action) -> str:
    """What a caller of the web URL should know: raw events, or the secret header."""
    notes = ["raw"] if raw_http(action) else []
    secured = action.annotations.get("require-whisk-auth")
    if secured is True:
        notes.append("needs the auth key")
    elif secured not in (None, False):
        notes.append(f"needs {SECRET_HEADER}")
    return f"  ({', '.join(notes)})" if notes else ""


def _triggers(services: Services) -> list[str]:
    """Each scheduled trigger with its cron and when it fires next (UTC)."""
    states = services.scheduler.states()
    lines = ["", f"Scheduled triggers ({len(states)})"] if states else []
    width = max((len(s.trigger.name) for s in states), default=0)
    for state in states:
        trigger = state.trigger
        if not trigger.enabled:
            when = "disabled"
        elif not services.scheduler.firing:
            when = "not firing (--no-triggers)"
        elif state.next_run_ms is None:
            when = "never (no such date)"
        else:
            when = f"next run {rfc3339(state.next_run_ms)}"
        lines.append(f"  {trigger.name:<{width}}  {trigger.function}  {trigger.cron!r}  {when}")
    return lines


def _building(services: Services) -> list[str]:
    """The functions whose builds were still running when the API began to answer."""
    if not services.building:
        return []
    return [
        "",
        f"Building ({len(services.building)}): their calls wait for their builds; "
        "a failed build is logged when it ends",
        *(f"  {path}" for path in sorted(services.building)),
    ]


def _cannot_run(services: Services) -> list[str]:
    """Why some functions cannot run here (toolchains first, then failed builds)."""
    problems = services.problems()
    lines = ["", "Cannot run here"] if problems else []
    return lines + [f"  {line}" for problem in problems for line in problem.lines()]
