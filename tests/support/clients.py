"""The real clients in tests/node_modules (the openwhisk npm SDK, nim), and a clean
environment for them: none of the developer's own client settings or proxies."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.ci import require
from tests.support.paths import REPO

NODE_MODULES = REPO / "tests" / "node_modules"
CONFORMANCE = REPO / "tests" / "conformance"
PROJECTS = CONFORMANCE / "projects"
# The variables a client would pick up from the developer's shell instead of ours.
CLIENT_VARIABLES = ("__OW_API_HOST", "__OW_API_KEY", "__OW_NAMESPACE", "__OW_USER_AGENT")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "PROXY", "http_proxy", "https_proxy", "proxy")


def require_clients() -> None:
    """Skip without the npm clients, except in CI, where missing clients are a failure."""
    installed = (NODE_MODULES / ".package-lock.json").exists()
    require(installed, f"{NODE_MODULES} is missing: run `npm ci --prefix tests`")


def client_environment(home: Path, **extra: str) -> dict[str, str]:
    """The process environment without the caller's client settings, with HOME in tmp."""
    hidden = {*CLIENT_VARIABLES, *PROXY_VARIABLES}
    env = {key: value for key, value in os.environ.items() if key not in hidden}
    return {**env, "HOME": str(home), "NO_PROXY": "127.0.0.1", **extra}
