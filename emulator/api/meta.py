"""`GET /`, `GET /api/v1` and `GET /api/v1/namespaces`: what clients read before anything else."""

from __future__ import annotations

from aiohttp import web

from emulator import __version__
from emulator.api.responses import json_response
from emulator.namespace.entities import (
    DEFAULT_LOGS_MB,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_MS,
    MAX_LOGS_MB,
    MAX_MEMORY_MB,
    MAX_TIMEOUT_MS,
    MIN_MEMORY_MB,
    MIN_TIMEOUT_MS,
)
from emulator.namespace.runtimes import runtimes_document
from emulator.services import SERVICES
from emulator.settings import Settings

MB = 1024 * 1024


async def info(request: web.Request) -> web.Response:
    settings = request.app[SERVICES].settings
    return json_response(
        {
            "description": "OpenWhisk",
            "support": {
                "github": "https://github.com/apache/openwhisk/issues",
                "slack": "http://slack.openwhisk.org",
            },
            "api_paths": ["/api/v1"],
            "limits": {
                **{
                    name: value
                    for name, value in (
                        ("actions_per_minute", settings.invocations_per_minute),
                        ("triggers_per_minute", settings.invocations_per_minute),
                        ("concurrent_actions", settings.concurrent_invocations),
                    )
                    if value is not None
                },
                "sequence_length": 50,
                "min_action_duration": MIN_TIMEOUT_MS,
                "max_action_duration": MAX_TIMEOUT_MS,
                "default_action_duration": DEFAULT_TIMEOUT_MS,
                "min_action_memory": MIN_MEMORY_MB * MB,
                "max_action_memory": MAX_MEMORY_MB * MB,
                "default_action_memory": DEFAULT_MEMORY_MB * MB,
                "min_action_logs": 0,
                "max_action_logs": MAX_LOGS_MB * MB,
                "default_action_logs": DEFAULT_LOGS_MB * MB,
            },
            "runtimes": runtimes_document(),
        }
    )


async def api_info(request: web.Request) -> web.Response:
    # DigitalOcean serves `runtimes` here too; doctl's and nim's deployer read it unauthenticated.
    return json_response(
        {
            "description": "OpenWhisk API",
            "api_version": "1.0.0",
            "api_version_path": "v1",
            "build": "functions-emulator",
            "buildno": __version__,
            "swagger_paths": {"ui": "/docs", "api-docs": "/api-docs"},
            "runtimes": runtimes_document(),
        }
    )


async def namespaces(request: web.Request) -> web.Response:
    return json_response([request.app[SERVICES].registry.namespace])


async def preflight(request: web.Request) -> web.Response:
    """OPTIONS anywhere under /api/v1: 200, no key needed; the CORS headers only for the pages
    let in with --cors-origin (others were refused before this)."""
    return web.Response(status=200)


def _throttles(settings: Settings) -> dict[str, int]:
    """The throttles in force; one turned off (`0` on the command line) is left out."""
    figures = {
        "invocationsPerMinute": settings.invocations_per_minute,
        "concurrentInvocations": settings.concurrent_invocations,
        "firesPerMinute": settings.invocations_per_minute,
    }
    return {name: value for name, value in figures.items() if value is not None}


async def limits(request: web.Request) -> web.Response:
    """`GET .../limits`: the namespace's limits, memory and logs in MB, timeouts in ms."""
    return json_response(
        {
            **_throttles(request.app[SERVICES].settings),
            "minActionMemory": MIN_MEMORY_MB,
            "maxActionMemory": MAX_MEMORY_MB,
            "minActionLogs": 0,
            "maxActionLogs": MAX_LOGS_MB,
            "minActionTimeout": MIN_TIMEOUT_MS,
            "maxActionTimeout": MAX_TIMEOUT_MS,
            "minActionConcurrency": 1,
            "maxActionConcurrency": 1,
        }
    )
