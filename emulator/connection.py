"""Where a running emulator is and which key it takes: the options the client commands share.

They have the names, defaults and FUNCTIONS_EMULATOR_* variables of `serve`'s own, so a
command run in the same shell as `serve` finds the emulator without flags.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from emulator.settings import DEFAULT_AUTH, DEFAULT_HOST, DEFAULT_PORT, Credentials

ENV_PREFIX = "FUNCTIONS_EMULATOR_"
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Connection:
    host: str
    port: int
    credentials: Credentials
    # None: `_`, the caller's own namespace, as doctl sends.
    namespace: str | None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def path_namespace(self) -> str:
        return self.namespace or "_"


def _credentials(ctx: click.Context, param: click.Parameter, value: str) -> Credentials:
    try:
        return Credentials.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


_OPTIONS = (
    click.option(
        "--host",
        default=DEFAULT_HOST,
        show_default=True,
        envvar=ENV_PREFIX + "HOST",
        help="Address of the running emulator.",
    ),
    click.option(
        "--port",
        default=DEFAULT_PORT,
        show_default=True,
        envvar=ENV_PREFIX + "PORT",
        type=click.IntRange(0, 65535),
        help="Port of the running emulator.",
    ),
    click.option(
        "--auth",
        default=DEFAULT_AUTH,
        show_default=True,
        envvar=ENV_PREFIX + "AUTH",
        callback=_credentials,
        help="The namespace key, UUID:KEY.",
    ),
    click.option(
        "--namespace",
        envvar=ENV_PREFIX + "NAMESPACE",
        help="Namespace name [default: the key's own, `_`]",
    ),
)


def connection_options(command: Callable[..., R]) -> Callable[..., R]:
    """Add --host, --port, --auth and --namespace; the command receives `connection`."""

    @functools.wraps(command)
    def with_connection(
        *args: Any, host: str, port: int, auth: Credentials, namespace: str | None, **kwargs: Any
    ) -> R:
        return command(*args, connection=Connection(host, port, auth, namespace), **kwargs)

    decorated: Callable[..., R] = with_connection
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated
