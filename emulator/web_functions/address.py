"""Web function URLs: `/api/v1/web/{namespace}/{package|default}/{function}[.ext][/extra]`."""

from __future__ import annotations

from emulator.namespace.entities import Action
from emulator.namespace.naming import DEFAULT_PACKAGE

WEB_PREFIX = "/api/v1/web"
# What the response is built from; a URL without one of these is `.http`, and any other
# suffix stays part of the function's name.
EXTENSIONS = (".http", ".json", ".html", ".svg", ".text")
DEFAULT_EXTENSION = ".http"


def split_extension(segment: str) -> tuple[str, str]:
    """`hello.json` → (`hello`, `.json`); `hello` and `hello.xml` keep their name, `.http`."""
    for extension in EXTENSIONS:
        if segment.endswith(extension):
            return segment[: -len(extension)], extension
    return segment, DEFAULT_EXTENSION


def extra_path(raw_path: str) -> str:
    """`__ow_path`: what follows the function's segment, still percent-encoded, "" if none."""
    segments = raw_path.partition("?")[0].split("/")
    # "", "api", "v1", "web", namespace, package, function, then the rest
    return "/" + "/".join(segments[7:]) if len(segments) > 7 else ""


def function_path(package: str, name: str) -> str:
    """The function's `pkg/name` (or `name`) from the URL's package and function segments."""
    return name if package == DEFAULT_PACKAGE else f"{package}/{name}"


def is_web_function(action: Action) -> bool:
    return action.annotations.get("web-export") is True


def web_url(api_host: str, action: Action) -> str:
    """The URL the platform serves the function at, as `doctl sls fn get --url` prints it."""
    package = action.package or DEFAULT_PACKAGE
    return f"{api_host}{WEB_PREFIX}/{action.namespace}/{package}/{action.name}"
