"""What a failed build's output says about its cause: which lines name it (a failure message
keeps them, wherever they are in a long output), and the one-line hint the start banner
gives, e.g. `build.sh needs virtualenv, which is not installed: pip install virtualenv`.

Two causes are recognised, as they are the usual ones on a developer's machine: a tool the
build runs that is not installed, and a download that cannot reach its host (the machine is
offline, or the registry is out of reach).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from emulator.namespace.entities import BuildFailure

# How the shells and `env` say a command is missing, each line split at ": " (bash's
# `./build.sh: line 3: virtualenv: command not found`, dash's `sh: 1: tsc: not found`).
_NOT_FOUND = ("command not found", "not found")
_NO_SUCH_FILE = "No such file or directory"
# `python3.9`, `pip3.12`: a tool named with its version.
_VERSIONED_PYTHON = re.compile(r"(python|pip)(3\.\d+)$")
_HOW_TO_INSTALL = {
    "virtualenv": "pip install virtualenv",
    "composer": "install Composer (https://getcomposer.org/)",
    "tsc": "add typescript to the devDependencies in package.json",
    "node": "install Node.js with npm (https://nodejs.org/)",
    "npm": "install Node.js with npm (https://nodejs.org/)",
    "npx": "install Node.js with npm (https://nodejs.org/)",
    "yarn": "npm install --global yarn",
    "python": "install Python 3 (https://www.python.org/downloads/)",
    "python3": "install Python 3 (https://www.python.org/downloads/)",
    "pip": "python3 -m ensurepip --upgrade, or install your system's python3-pip",
    "pip3": "python3 -m ensurepip --upgrade, or install your system's python3-pip",
    "go": "install Go (https://go.dev/dl/)",
    "php": "install PHP (https://www.php.net/downloads)",
}

_ERRNOS = r"\b(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b"
# Each tool's words for a download that failed, with what the hint says of it.
_OFFLINE = (
    (
        re.compile(rf"^npm (?:ERR!|error).*(?:{_ERRNOS}|network request to .* failed)"),
        "npm could not reach the registry",
    ),
    (
        re.compile(
            r"NewConnectionError|Failed to establish a new connection|Could not fetch URL"
            r"|ConnectTimeoutError|Max retries exceeded with url|ProxyError"
        ),
        "pip could not reach the package index",
    ),
    (
        re.compile(
            r"curl error \d+ while downloading|php_network_getaddresses"
            r"|packagist\.org.* could not be downloaded"
        ),
        "composer could not reach Packagist",
    ),
    (
        re.compile(r"proxy\.golang\.org|sum\.golang\.org|module lookup disabled by GOPROXY=off"),
        "go could not download modules",
    ),
    (
        re.compile(
            rf"Could not resolve host|Temporary failure in name resolution"
            rf"|Name or service not known|Network is unreachable|No route to host"
            rf"|getaddrinfo|{_ERRNOS}"
        ),
        "a download could not reach its host",
    ),
)

_EXITED = re.compile(r"^'(?P<tag>.+)' exited with code (?P<code>-?\d+)$")


def diagnosed(message: str) -> BuildFailure:
    """The failure behind `message` (a build_steps failure message, or another problem the
    deployer reports for a build, such as an `.include` naming nothing), with its hint."""
    lines = message.splitlines()
    first = lines[0] if lines else message
    exited = _EXITED.match(first)
    if exited is None:
        return BuildFailure(message, first)
    return BuildFailure(message, hint_for(exited["tag"], lines[1:]) or f"{first} (output above)")


def is_cause(line: str) -> bool:
    """True for a line that says why a build failed: a missing tool, or no network."""
    return missing_tool(line) is not None or offline(line) is not None


def hint_for(tag: str, output: Iterable[str]) -> str | None:
    """One line on why the build `tag` (`./build.sh`, `npm install`) failed, from its output;
    None when the output names no cause this module knows."""
    lines = list(output)
    who = tag.removeprefix("./")
    for line in lines:
        tool = missing_tool(line)
        if tool is not None:
            if who == "npm install" and tool not in ("npm", "node"):
                who = "npm run build"  # only the build script runs anything else
            return f"{who} needs {tool}, which is not installed: {how_to_install(tool)}"
    for line in lines:
        what = offline(line)
        if what is not None:
            return (
                f"{who} needs the network ({what}), which is out of reach: build once "
                "online, and the build is reused until its sources change"
            )
    return None


def missing_tool(line: str) -> str | None:
    """The command a shell or `env` could not find, as its output line says it."""
    parts = [part.strip() for part in line.strip().split(": ")]
    if len(parts) < 2:
        return None
    if parts[-1] in _NOT_FOUND:
        named = parts[-2]
    elif parts[-2] == "command not found":  # zsh: `zsh: command not found: tsc`
        named = parts[-1]
    elif parts[-1] == _NO_SUCH_FILE and parts[0].endswith("env") and len(parts) == 3:
        named = parts[-2]
    else:
        return None
    named = named.strip("'\"‘’`").rsplit("/", 1)[-1]
    return named if re.fullmatch(r"[\w.+-]+", named) else None


def offline(line: str) -> str | None:
    """What could not be downloaded, when `line` says a download failed for want of a
    network: "npm could not reach the registry"."""
    for pattern, what in _OFFLINE:
        if pattern.search(line):
            return what
    return None


def how_to_install(tool: str) -> str:
    versioned = _VERSIONED_PYTHON.match(tool)
    if versioned:
        return (
            f"install Python {versioned[2]} (pyenv install {versioned[2]}, or "
            "https://www.python.org/downloads/), or write the build for the Python you have"
        )
    return _HOW_TO_INSTALL.get(tool, f"install {tool}, or start the emulator with it on PATH")
