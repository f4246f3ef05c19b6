"""The client commands' connection options (--host, --port, --auth, --namespace) and the
client they get, with the emulator's errors printed as doctl prints them. Apart from
`shared_options`, so that `serve`, which shares the options, imports no client code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from emulator.cli.shared_options import auth_option, host_option, namespace_option, port_option
from emulator.client.connection import Connection
from emulator.client.rest import ApiError, EmulatorClient, EmulatorUnreachable
from emulator.settings import Credentials

# The platform's largest page of a listing.
MAX_LIST_LIMIT = 200
R = TypeVar("R")


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
