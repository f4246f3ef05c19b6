"""`functions-emulator serve`: build Settings from the options and serve the app on them."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import socket
import sys
from pathlib import Path

import click

from emulator.api.access_log import AccessLogger
from emulator.app import create_app, read_project
from emulator.cli.banner import banner
from emulator.cli.event_loops import LOOPS, new_event_loop
from emulator.cli.lifecycle import StartFailed, serve_app
from emulator.cli.shared_options import auth_option, env, host_option, namespace_option, port_option
from emulator.cli.terminal import TerminalPrinter
from emulator.dashboard import dashboard_link
from emulator.invoker.debugging import XDEBUG_DEFAULT_PORT
from emulator.namespace.clock import SystemClock
from emulator.project.project_error import ProjectError
from emulator.project.toplevel import config_file_in
from emulator.services import SERVICES
from emulator.settings import (
    DEFAULT_AUTH,
    DEFAULT_BLOCKING_WAIT,
    DEFAULT_CONCURRENT_INVOCATIONS,
    DEFAULT_INVOCATIONS_PER_MINUTE,
    DEFAULT_MAX_IDLE_PROCESSES,
    DEFAULT_RETENTION_HOURS,
    Credentials,
    Settings,
)

# A bare `--debug`; and what FUNCTIONS_EMULATOR_DEBUG may say for "every function".
ALL_FUNCTIONS = "*"
EVERY_FUNCTION = frozenset({ALL_FUNCTIONS, "1", "true", "yes", "on"})
# And what it may say for "none" (the flag's old values).
NO_FUNCTION = frozenset({"", "0", "false", "no", "off"})


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


@click.command()
@click.argument("project", default=".", type=click.Path(path_type=Path))
@host_option("Address to listen on.")
@port_option("Port to listen on (OpenWhisk's standalone port).")
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar=env("DB"),
    help="SQLite file for activation records [default: PROJECT/.emulator/activations.db]",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    envvar=env("ALLOWED_HOSTS"),
    help="A host name to answer besides 127.0.0.1, localhost, [::1] and --host (repeatable; "
    "'*' answers any). Other Host headers get 403: a web page cannot rebind its name to "
    "this machine.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    envvar=env("CORS_ORIGINS"),
    help="A web page origin (http://localhost:5173) whose scripts may call the API from a "
    "browser (repeatable; '*' lets any page in). Others get 403. Web functions answer any "
    "page, as on the platform.",
)
@auth_option()
@namespace_option("Namespace name [default: fn-<UUID of the key>]")
@click.option(
    "--access-token",
    envvar=env("ACCESS_TOKEN"),
    help="The DigitalOcean API token (DIGITALOCEAN_ACCESS_TOKEN) the control plane under /v2 "
    "takes as `Bearer` [default: one derived from the key, printed in the banner]",
)
@click.option(
    "--blocking-wait",
    default=DEFAULT_BLOCKING_WAIT,
    show_default=True,
    envvar=env("BLOCKING_WAIT"),
    type=click.FloatRange(min=0.001),
    help="Seconds a blocking call waits before it answers 202 with the activation id.",
)
@click.option(
    "--env",
    "env_file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar=env("ENV"),
    help="Template values for project.yml [default: PROJECT/.env]",
)
@click.option(
    "--retention-hours",
    default=DEFAULT_RETENTION_HOURS,
    show_default=True,
    envvar=env("RETENTION_HOURS"),
    type=click.FloatRange(min=0.0, min_open=True),
    help="How long activation records are kept.",
)
@click.option("--node", envvar=env("NODE"), help="The node program [default: node on PATH]")
@click.option("--go", envvar=env("GO"), help="The go program [default: go on PATH]")
@click.option("--php", envvar=env("PHP"), help="The php program [default: php on PATH]")
@click.option(
    "--no-triggers",
    is_flag=True,
    envvar=env("NO_TRIGGERS"),
    help="Do not fire scheduled triggers on their own (firing one on demand still works).",
)
@click.option(
    "--no-reload",
    is_flag=True,
    envvar=env("NO_RELOAD"),
    help="Do not watch the project: saved changes are served from the next start.",
)
@click.option(
    "--quiet",
    is_flag=True,
    envvar=env("QUIET"),
    help="Do not print each activation and its logs as they happen.",
)
@click.option(
    "--cold",
    is_flag=True,
    envvar=env("COLD"),
    help="No warm reuse: every call starts a new process, to test start-up code.",
)
@click.option(
    "--debug",
    multiple=True,
    is_flag=False,
    flag_value=ALL_FUNCTIONS,
    metavar="[FUNCTION]",
    envvar=env("DEBUG"),
    help="Run functions under their debugger, with no timeouts (blocking calls wait for "
    "ever): Python under debugpy, Node.js under the inspector, Go under Delve, PHP with "
    "Xdebug. Alone, every function; `--debug pkg/fn` (repeatable) only those.",
)
@click.option(
    "--xdebug-port",
    default=XDEBUG_DEFAULT_PORT,
    show_default=True,
    envvar=env("XDEBUG_PORT"),
    type=click.IntRange(1, 65535),
    help="Where PHP functions' Xdebug connects under --debug: the port your IDE listens on.",
)
@click.option(
    "--bare-runtimes",
    is_flag=True,
    envvar=env("BARE_RUNTIMES"),
    help="None of the runtime images' packages (requests, twilio, openwhisk…): functions get "
    "only what they bundle.",
)
@click.option(
    "--invocations-per-minute",
    default=DEFAULT_INVOCATIONS_PER_MINUTE,
    show_default=True,
    envvar=env("INVOCATIONS_PER_MINUTE"),
    type=click.IntRange(min=0),
    help="Invocations a namespace may start in a calendar minute, as DigitalOcean allows "
    "(0: unlimited). Trigger fires have the same limit.",
)
@click.option(
    "--concurrent-invocations",
    default=DEFAULT_CONCURRENT_INVOCATIONS,
    show_default=True,
    envvar=env("CONCURRENT_INVOCATIONS"),
    type=click.IntRange(min=0),
    help="Activations a namespace may have running at once (0: unlimited).",
)
@click.option(
    "--max-idle-processes",
    default=DEFAULT_MAX_IDLE_PROCESSES,
    show_default=True,
    envvar=env("MAX_IDLE_PROCESSES"),
    type=click.IntRange(min=0),
    help="Idle warm processes all functions together may keep; past it the least recently "
    "used stops (0: unlimited).",
)
@click.option(
    "--loop",
    type=click.Choice(LOOPS),
    default="auto",
    show_default=True,
    envvar=env("LOOP"),
    help="The event loop: uvloop (faster) when installed, with 'auto'.",
)
@click.option("-v", "--verbose", is_flag=True, envvar=env("VERBOSE"), help="Log debug details.")
def serve(
    project: Path,
    host: str,
    port: int,
    db: Path | None,
    allowed_hosts: tuple[str, ...],
    cors_origins: tuple[str, ...],
    auth: Credentials,
    namespace: str | None,
    access_token: str | None,
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
    debug: tuple[str, ...],
    xdebug_port: int,
    bare_runtimes: bool,
    invocations_per_minute: int,
    concurrent_invocations: int,
    max_idle_processes: int,
    loop: str,
    verbose: bool,
) -> None:
    """Serve PROJECT (a project folder, or its project.yml) on the OpenWhisk API."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if quiet:
        # --quiet: no line per request either, and none formatted.
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    settings = Settings(
        project_file=project_file(project),
        host=host,
        port=port,
        db_path=db,
        allowed_hosts=allowed_hosts,
        cors_origins=cors_origins,
        credentials=auth,
        namespace_name=namespace,
        access_token=access_token or None,
        blocking_wait=blocking_wait,
        env_file=env_file,
        retention_hours=retention_hours,
        no_triggers=no_triggers,
        no_reload=no_reload,
        serve_while_building=True,
        quiet=quiet,
        cold=cold,
        debug=debug_settings(debug)[0],
        debug_functions=debug_settings(debug)[1],
        xdebug_port=xdebug_port,
        bare_runtimes=bare_runtimes,
        invocations_per_minute=invocations_per_minute or None,
        concurrent_invocations=concurrent_invocations or None,
        max_idle_processes=max_idle_processes or None,
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
    if not _is_loopback(host):
        with contextlib.suppress(OSError):
            click.echo(exposed_warning(settings), err=True)
    observer = None if quiet else TerminalPrinter(sys.stdout)
    app = create_app(settings, project=loaded, observer=observer)
    try:
        serve_app(
            app,
            sock,
            loop=new_event_loop(loop),
            announce=lambda app: banner(app[SERVICES], dashboard_link(app)),
            # Request lines without the query's secrets (a login link's token).
            access_log_class=AccessLogger,
        )
    except StartFailed as failure:
        raise click.ClickException(str(failure)) from None


def debug_settings(values: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    """`--debug`'s values as Settings takes them: whether to debug, and the functions named
    (none: every function, for a bare --debug or FUNCTIONS_EMULATOR_DEBUG=1)."""
    values = tuple(v for v in values if v.lower() not in NO_FUNCTION)
    named = tuple(v.strip("/") for v in values if v.lower() not in EVERY_FUNCTION)
    return bool(values), () if len(named) < len(values) else named


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: whatever it resolves to, it may be reachable


def exposed_warning(settings: Settings) -> str:
    """Printed when the server listens beyond this machine: anyone who can reach it and knows
    the key (the public development key, unless --auth was given) can run the functions."""
    key = (
        "the PUBLIC development key, which anyone can look up: pass --auth UUID:KEY"
        if settings.credentials.text == DEFAULT_AUTH
        else "the key given with --auth"
    )
    lines = [
        f"WARNING: listening on {settings.host}, not only on this machine (127.0.0.1).",
        "WARNING: anyone who can reach this address can call the API with "
        f"{key}, and web functions with no key at all.",
        "WARNING: requests must name this machine as 127.0.0.1, localhost, "
        f"{settings.host} or an --allowed-host; other Host names get 403.",
    ]
    return "\n".join(click.style(line, fg="red", bold=True) for line in lines)


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
