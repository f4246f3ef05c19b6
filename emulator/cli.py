"""The `functions-emulator` command. It builds Settings and hands them to the app."""

from __future__ import annotations

import errno
import logging
import socket
import sys
from pathlib import Path

import click
from aiohttp import web

from emulator import __version__
from emulator.app import create_app, read_project
from emulator.banner import banner
from emulator.clock import SystemClock
from emulator.commands import CLIENT_COMMANDS
from emulator.errors import ProjectError
from emulator.project.toplevel import config_file_in
from emulator.services import SERVICES
from emulator.settings import (
    DEFAULT_AUTH,
    DEFAULT_BLOCKING_WAIT,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_RETENTION_HOURS,
    Credentials,
    Settings,
)
from emulator.terminal import TerminalPrinter

ENV_PREFIX = "FUNCTIONS_EMULATOR_"


def _env(name: str) -> str:
    return ENV_PREFIX + name


def _credentials(ctx: click.Context, param: click.Parameter, value: str) -> Credentials:
    try:
        return Credentials.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def project_file(path: Path) -> Path:
    """PROJECT may name the file, or a folder that is a project as the deployer sees one: with
    project.yml, projectConfig.yml or just `packages/` (then its project.yml need not exist)."""
    if not path.is_dir():
        if not path.exists():
            raise click.ClickException(f"No project.yml found at {path}")
        return path
    found = config_file_in(path)
    if found is None:
        raise click.ClickException(
            f"Not a DigitalOcean Functions project: {path} has no project.yml, "
            "projectConfig.yml or packages/ folder"
        )
    return found


@click.group()
@click.version_option(__version__, prog_name="functions-emulator")
def main() -> None:
    """A local emulator of DigitalOcean Functions (Apache OpenWhisk)."""


for _command in CLIENT_COMMANDS:
    main.add_command(_command)


@main.command()
@click.argument("project", default=".", type=click.Path(path_type=Path))
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    envvar=_env("HOST"),
    help="Address to listen on.",
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    envvar=_env("PORT"),
    type=click.IntRange(0, 65535),
    help="Port to listen on (OpenWhisk's standalone port).",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar=_env("DB"),
    help="SQLite file for activation records [default: PROJECT/.emulator/activations.db]",
)
@click.option(
    "--auth",
    default=DEFAULT_AUTH,
    show_default=True,
    envvar=_env("AUTH"),
    callback=_credentials,
    help="The namespace key, UUID:KEY.",
)
@click.option(
    "--namespace", envvar=_env("NAMESPACE"), help="Namespace name [default: fn-<UUID of the key>]"
)
@click.option(
    "--blocking-wait",
    default=DEFAULT_BLOCKING_WAIT,
    show_default=True,
    envvar=_env("BLOCKING_WAIT"),
    type=click.FloatRange(min=0.001),
    help="Seconds a blocking call waits before it answers 202 with the activation id.",
)
@click.option(
    "--env",
    "env_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar=_env("ENV"),
    help="Template values for project.yml [default: PROJECT/.env]",
)
@click.option(
    "--retention-hours",
    default=DEFAULT_RETENTION_HOURS,
    show_default=True,
    envvar=_env("RETENTION_HOURS"),
    type=click.FloatRange(min=0.0, min_open=True),
    help="How long activation records are kept.",
)
@click.option("--node", envvar=_env("NODE"), help="The node program [default: node on PATH]")
@click.option("--go", envvar=_env("GO"), help="The go program [default: go on PATH]")
@click.option("--php", envvar=_env("PHP"), help="The php program [default: php on PATH]")
@click.option(
    "--no-triggers",
    is_flag=True,
    envvar=_env("NO_TRIGGERS"),
    help="Do not fire scheduled triggers on their own (firing one on demand still works).",
)
@click.option(
    "--no-reload",
    is_flag=True,
    envvar=_env("NO_RELOAD"),
    help="Do not watch the project: saved changes are served from the next start.",
)
@click.option(
    "--quiet",
    is_flag=True,
    envvar=_env("QUIET"),
    help="Do not print each activation and its logs as they happen.",
)
@click.option(
    "--cold",
    is_flag=True,
    envvar=_env("COLD"),
    help="No warm reuse: every call starts a new process, to test start-up code.",
)
@click.option(
    "--debug",
    is_flag=True,
    envvar=_env("DEBUG"),
    help="No timeouts, blocking calls wait for ever; Node under the inspector, Python under "
    "debugpy (when installed).",
)
@click.option("-v", "--verbose", is_flag=True, envvar=_env("VERBOSE"), help="Log debug details.")
def serve(
    project: Path,
    host: str,
    port: int,
    db: Path | None,
    auth: Credentials,
    namespace: str | None,
    blocking_wait: float,
    env_file: Path | None,
    retention_hours: float,
    node: str | None,
    go: str | None,
    php: str | None,
    no_triggers: bool,
    no_reload: bool,
    quiet: bool,
    cold: bool,
    debug: bool,
    verbose: bool,
) -> None:
    """Serve PROJECT (a project folder, or its project.yml) on the OpenWhisk API."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = Settings(
        project_file=project_file(project),
        host=host,
        port=port,
        db_path=db,
        credentials=auth,
        namespace_name=namespace,
        blocking_wait=blocking_wait,
        env_file=env_file,
        retention_hours=retention_hours,
        no_triggers=no_triggers,
        no_reload=no_reload,
        quiet=quiet,
        cold=cold,
        debug=debug,
        toolchains={
            family: program
            for family, program in (("nodejs", node), ("go", go), ("php", php))
            if program
        },
    )
    try:
        loaded = read_project(settings, SystemClock())
    except ProjectError as error:
        raise click.ClickException(str(error)) from None
    sock = _bind(host, port)
    observer = None if quiet else TerminalPrinter(sys.stdout)
    app = create_app(settings, project=loaded, observer=observer)

    async def announce(app: web.Application) -> None:
        click.echo(banner(app[SERVICES]))

    app.on_startup.append(announce)
    web.run_app(app, sock=sock, print=None, shutdown_timeout=10)


def _bind(host: str, port: int) -> socket.socket:
    """Bind before starting anything, so a taken port fails with one clear line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        reason = "is already in use" if error.errno == errno.EADDRINUSE else f"failed: {error}"
        message = f"Cannot listen on {host}:{port}: the address {reason}."
        raise click.ClickException(message) from None
    sock.listen(128)
    sock.set_inheritable(False)
    return sock


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
