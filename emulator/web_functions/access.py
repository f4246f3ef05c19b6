"""Who may call a web function: the lookup that never says why it failed, CORS and the secret."""

from __future__ import annotations

import hmac
import json

from emulator.namespace.entities import Action
from emulator.namespace.errors import NotFound, WebAuthenticationFailed, WrongCollection
from emulator.namespace.registry import Registry
from emulator.web_functions.address import function_path, is_web_function

SECRET_HEADER = "X-Require-Whisk-Auth"
DEFAULT_ALLOW_HEADERS = "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent"
ALLOW_METHODS = "OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH"


def find_web_function(registry: Registry, namespace: str, package: str, name: str) -> Action:
    """The web function the URL names; 404 alike for every reason it does not exist."""
    # The namespace must be spelled out: `_` does not stand for it here.
    if namespace != registry.namespace:
        raise NotFound()
    try:
        action = registry.action(function_path(package, name))
    except (NotFound, WrongCollection):
        raise NotFound() from None
    if not is_web_function(action):
        raise NotFound()
    return action


def raw_http(action: Action) -> bool:
    """`web: raw`: the function gets the query and body unparsed."""
    return action.annotations.get("raw-http") is True


def custom_options(action: Action) -> bool:
    """`web-custom-options`: the function answers OPTIONS and sets its own CORS headers."""
    return action.annotations.get("web-custom-options") is True


def cors_headers(action: Action, requested_headers: str | None) -> dict[str, str]:
    """The CORS headers every response of the function carries; none with custom options."""
    if custom_options(action):
        return {}
    return {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": requested_headers or DEFAULT_ALLOW_HEADERS,
    }


def answers_preflight(action: Action, method: str) -> bool:
    """Whether the platform answers this OPTIONS itself (200, empty) without invoking."""
    return method == "OPTIONS" and not custom_options(action)


def check_access(action: Action, *, method: str, secret: str | None, authenticated: bool) -> None:
    """Refuse a call without the function's `webSecure` secret (or, for `true`, without the
    namespace's key). OPTIONS is never refused, so that a function can answer preflights."""
    required = action.annotations.get("require-whisk-auth")
    if method == "OPTIONS" or required is None or required is False:
        return
    if required is True:
        allowed = authenticated
    elif isinstance(required, str | int | float):
        expected = required if isinstance(required, str) else json.dumps(required)
        # Constant time: how much of a guess matched must not show in the answer's timing.
        allowed = secret is not None and hmac.compare_digest(secret.encode(), expected.encode())
    else:
        allowed = False
    if not allowed:
        raise WebAuthenticationFailed()
