"""The options the command line shares: `serve`'s and the client commands' --host, --port,
--auth and --namespace, with the same names, defaults and FUNCTIONS_EMULATOR_* variables, so
a client command run in the same shell as `serve` finds the emulator without flags.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from emulator.settings import DEFAULT_AUTH, DEFAULT_HOST, DEFAULT_PORT, Credentials

ENV_PREFIX = "FUNCTIONS_EMULATOR_"
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
