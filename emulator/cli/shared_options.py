"""The options the command line shares: `serve`'s and the client commands' --host, --port,
--auth and --namespace, with the same names, defaults and FUNCTIONS_EMULATOR_* variables, so
a client command run in the same shell as `serve` finds the emulator without flags.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from emulator.client.connection import Connection
from emulator.client.rest import ApiError, EmulatorClient, EmulatorUnreachable
from emulator.settings import DEFAULT_AUTH, DEFAULT_HOST, DEFAULT_PORT, Credentials

ENV_PREFIX = "FUNCTIONS_EMULATOR_"
# The platform's largest page of a listing.
MAX_LIST_LIMIT = 200
R = TypeVar("R")


def env(name: str) -> str:
    """The environment variable of an option: FUNCTIONS_EMULATOR_<NAME>."""
    return ENV_PREFIX + name


def credentials(ctx: click.Context, param: click.Parameter, value: str) -> Credentials:
    """--auth's callback: the key, UUID:KEY, checked."""
    try:
        return Credentials.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def host_option(help: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    return click.option(
        "--host", default=DEFAULT_HOST, show_default=True, envvar=env("HOST"), help=help
    )


def port_option(help: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    return click.option(
        "--port",
        default=DEFAULT_PORT,
        show_default=True,
        envvar=env("PORT"),
        type=click.IntRange(0, 65535),
        help=help,
    )


def auth_option() -> Callable[[Callable[..., R]], Callable[..., R]]:
    return click.option(
        "--auth",
        default=DEFAULT_AUTH,
        show_default=True,
        envvar=env("AUTH"),
        callback=credentials,
        help="The namespace key, UUID:KEY.",
    )


def namespace_option(help: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    return click.option("--namespace", envvar=env("NAMESPACE"), help=help)


_CONNECTION_OPTIONS = (
    host_option("Address of the running emulator."),
    port_option("Port of the running emulator."),
    auth_option(),
    namespace_option("Namespace name [default: the key's own, `_`]"),
)


def connection_options(command: Callable[..., R]) -> Callable[..., R]:
    """Add --host, --port, --auth and --namespace; the command receives `connection`."""

    @functools.wraps(command)
    def with_connection(
        *args: Any, host: str, port: int, auth: Credentials, namespace: str | None, **kwargs: Any
    ) -> R:
        return command(*args, connection=Connection(host, port, auth, namespace), **kwargs)

    decorated: Callable[..., R] = with_connection
    for option in reversed(_CONNECTION_OPTIONS):
        decorated = option(decorated)
    return decorated


def client_command(command: Callable[..., None]) -> Callable[..., None]:
    """Give the command a `client`; print the emulator's errors as doctl does, exit 1."""

    @functools.wraps(command)
    def run(*args: Any, connection: Connection, **kwargs: Any) -> None:
        try:
            command(*args, client=EmulatorClient(connection), **kwargs)
        except ApiError as error:
            raise click.ClickException(str(error)) from None
        except EmulatorUnreachable as error:
            raise click.ClickException(_unreachable(connection, error)) from None

    return connection_options(run)


def _unreachable(connection: Connection, error: EmulatorUnreachable) -> str:
    if error.refused:
        return (
            f"The emulator is not running at {connection.base_url}. Start it in the project "
            f"folder with `functions-emulator serve --port {connection.port}`."
        )
    return f"Cannot reach the emulator at {connection.base_url}: {error}"


def list_limit(value: int) -> int:
    """A --limit as the platform takes it: at most MAX_LIST_LIMIT."""
    return min(value, MAX_LIST_LIMIT)
