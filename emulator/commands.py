"""The doctl-shaped client commands: `invoke`, `activations`, `functions` and `triggers`.

Each talks to a running emulator over its REST API, makes the calls `doctl serverless` makes
and prints what doctl prints, so what a developer learns here holds in the cloud.
"""

from __future__ import annotations

import csv
import functools
import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from emulator import doctl_output as out
from emulator.client import ApiError, EmulatorClient, EmulatorUnreachable
from emulator.connection import Connection, connection_options

MAX_LIST_LIMIT = 200
FOLLOW_INTERVAL = 5.0
DEMOTED = (
    "Request accepted, but processing not completed yet.\n"
    "All functions invocation >= 30s will get demoted to an asynchronous invocation. "
    "Use --no-wait flag to immediately return the activation id.\n"
    "Use this command to view the results.\n"
    "functions-emulator activations result {id}\n"
)


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


# --- invoke -----------------------------------------------------------------------------------


@click.command()
@click.argument("function")
@click.option(
    "-p",
    "--param",
    "param_flags",
    multiple=True,
    metavar="KEY:VALUE",
    help="A parameter; values are strings. Repeat it, or give a comma list.",
)
@click.option(
    "-P",
    "--param-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A JSON file of parameters; -p values win over it.",
)
@click.option("-f", "--full", is_flag=True, help="Wait for the full activation record.")
@click.option("-n", "--no-wait", is_flag=True, help="Do not wait; print the activation id.")
@client_command
def invoke(
    client: EmulatorClient,
    function: str,
    param_flags: tuple[str, ...],
    param_file: Path | None,
    full: bool,
    no_wait: bool,
) -> None:
    """Invoke FUNCTION (pkg/fn), as `doctl serverless functions invoke`."""
    params = _consolidate_params(param_file, param_flags)
    blocking = not no_wait
    reply = client.invoke(function, params, blocking=blocking, result=blocking and not full)
    if reply.status == 202 and blocking:
        # The emulator's 30-second wait ran out: the call goes on asynchronously.
        click.echo(DEMOTED.format(id=reply.body.get("activationId", "")))
        return
    click.echo(out.go_json(reply.body))
    if reply.status == 502:
        raise click.exceptions.Exit(1)


def _consolidate_params(param_file: Path | None, flags: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if param_file is not None:
        try:
            loaded = json.loads(param_file.read_text())
        except ValueError as error:
            raise click.ClickException(f"{param_file}: {error}") from None
        if not isinstance(loaded, dict):
            raise click.ClickException(f"{param_file}: the parameters must be a JSON object")
        params.update(loaded)
    # A flag value is a comma list, read as CSV as cobra's string slices are.
    for flag in flags:
        for item in next(csv.reader([flag])):
            key, sep, value = item.partition(":")
            if not sep:
                raise click.ClickException("values for --params must have KEY:VALUE form")
            params[key] = value
    return params


# --- activations ------------------------------------------------------------------------------


@click.group()
def activations() -> None:
    """Activation records: list, get, logs, result."""


def _limit(value: int) -> int:
    return min(value, MAX_LIST_LIMIT)


@activations.command("list")
@click.argument("function", required=False)
@click.option("-l", "--limit", default=30, show_default=True, help="At most LIMIT (max 200).")
@click.option("-s", "--skip", default=0, help="Skip the newest SKIP activations.")
@click.option("--since", type=int, help="Only those started after SINCE (epoch ms).")
@click.option("--upto", type=int, help="Only those started before UPTO (epoch ms).")
@click.option("--count", is_flag=True, help="Show only the number of activations.")
@click.option("-f", "--full", is_flag=True, help="Print the full records as JSON.")
@client_command
def list_activations(
    client: EmulatorClient,
    function: str | None,
    limit: int,
    skip: int,
    since: int | None,
    upto: int | None,
    count: bool,
    full: bool,
) -> None:
    """List activations, newest first; FUNCTION (pkg/fn) narrows them."""
    if count:
        total = client.count_activations(name=function, since=since, upto=upto)
        scope = f" for function {function}" if function else ""
        click.echo(f"You have {total} activations in this namespace{scope} ")
        return
    listed = client.list_activations(
        name=function, limit=_limit(limit), skip=skip, since=since, upto=upto, docs=full
    )
    if full:
        click.echo(out.go_json([out.activation_record(record) for record in listed]))
        return
    click.echo(out.table(ACTIVATION_COLUMNS, [_activation_row(record) for record in listed]))


ACTIVATION_COLUMNS = (
    "Datetime",
    "Status",
    "Kind",
    "Version",
    "Activation ID",
    "Start",
    "Wait",
    "Duration",
    "Function",
)


def _activation_row(record: Mapping[str, Any]) -> tuple[object, ...]:
    # doctl means cold starts by `init`, an annotation no record has; `initTime` is the real one.
    start = "cold" if out.annotation(record, "initTime") is not None else "warm"
    return (
        out.short_time(int(record.get("start", 0))),
        out.status_text(int(record.get("statusCode", 0))),
        out.annotation(record, "kind"),
        record.get("version", ""),
        record.get("activationId", ""),
        start,
        out.annotation(record, "waitTime"),
        f"{record.get('duration', 0)}ms",
        out.function_name(record),
    )


def _newest(
    client: EmulatorClient, function: str | None, skip: int = 0, *, docs: bool = False
) -> dict[str, Any]:
    listed = client.list_activations(name=function, limit=1, skip=skip, docs=docs)
    if not listed:
        raise click.ClickException("no activations were returned")
    return listed[0]


@activations.command("get")
@click.argument("activation_id", required=False)
@click.option("-l", "--last", is_flag=True, help="The most recent activation (the default).")
@click.option("-s", "--skip", default=0, help="Skip the newest SKIP activations.")
@click.option("-g", "--logs", is_flag=True, help="Only the logs, without time stamps.")
@click.option("-r", "--result", is_flag=True, help="Only the result.")
@click.option("-f", "--function", help="The newest activation of this function.")
@click.option("-q", "--quiet", is_flag=True, help="No banner line before logs or result.")
@client_command
def get_activation(
    client: EmulatorClient,
    activation_id: str | None,
    last: bool,
    skip: int,
    logs: bool,
    result: bool,
    function: str | None,
    quiet: bool,
) -> None:
    """Print an activation record (by default the newest)."""
    if activation_id is None:
        newest = _newest(client, function, skip)
        activation_id = str(newest["activationId"])
        if not quiet and (logs or result):
            click.echo(out.banner(newest))
    if logs:
        lines = client.activation_logs(activation_id)
        if not lines:
            raise click.ClickException("no logs available")
        _echo_logs(lines, strip=True)
    elif result:
        click.echo(out.go_json(_result_of(client, activation_id)))
    else:
        record = client.get_activation(activation_id)
        click.echo(out.go_json(out.activation_record(record)))


def _result_of(client: EmulatorClient, activation_id: str) -> Any:
    result = client.activation_result(activation_id).get("result")
    if result is None:
        raise click.ClickException("no result available")
    return result


def _echo_logs(lines: list[str], *, strip: bool) -> None:
    for line in lines:
        click.echo(out.strip_log(line) if strip else line)


@activations.command("logs")
@click.argument("activation_id", required=False)
@click.option("-f", "--function", help="Logs of this function (pkg/fn).")
@click.option("-p", "--package", help="Logs of this package's functions.")
@click.option("-l", "--last", is_flag=True, hidden=True)
@click.option("-n", "--limit", default=1, show_default=True, help="The last LIMIT activations.")
@click.option("-r", "--strip", is_flag=True, help="Strip the time stamp and stream.")
@click.option("--follow", is_flag=True, help="Keep printing new activations' logs.")
# Only for tests: doctl polls every 5 s.
@click.option("--poll-interval", default=FOLLOW_INTERVAL, hidden=True, type=float)
@client_command
def activation_logs(
    client: EmulatorClient,
    activation_id: str | None,
    function: str | None,
    package: str | None,
    last: bool,
    limit: int,
    strip: bool,
    follow: bool,
    poll_interval: float,
) -> None:
    """Print the logs of an activation, of the newest ones, or follow them."""
    if activation_id is not None:
        _echo_logs(client.activation_logs(activation_id), strip=strip)
        return
    if follow:
        try:
            _follow(client, function, package, poll_interval)
        except KeyboardInterrupt:
            click.echo("\r", nl=False)
        return
    listed = client.list_activations(name=function, limit=_limit(limit), docs=True)
    for record in reversed(_in_package(listed, package)):
        _echo_with_banner(record, strip=strip)


def _in_package(listed: list[dict[str, Any]], package: str | None) -> list[dict[str, Any]]:
    return [record for record in listed if not package or out.package_name(record) == package]


def _echo_with_banner(record: Mapping[str, Any], *, strip: bool) -> None:
    click.echo(out.banner(record))
    _echo_logs(list(record.get("logs") or ()), strip=strip)
    click.echo()


def _follow(
    client: EmulatorClient, function: str | None, package: str | None, interval: float
) -> None:
    """doctl's poll: the newest record first, then everything since the oldest one printed."""
    since: int | None = None
    limit = 1
    printed: set[str] = set()
    while True:
        time.sleep(interval)
        listed = client.list_activations(name=function, limit=limit, since=since, docs=True)
        listed = _in_package(listed, package)
        if not listed:
            continue
        for record in reversed(listed):
            # A record that started before `since` but finished after the last poll comes twice.
            if record["activationId"] not in printed:
                printed.add(record["activationId"])
                _echo_with_banner(record, strip=False)
        since = int(listed[-1]["start"]) + 100
        limit = 0  # the platform's "as many as allowed"


@activations.command("result")
@click.argument("activation_id", required=False)
@click.option("-l", "--last", is_flag=True, help="The most recent result (the default).")
@click.option("-n", "--limit", default=1, show_default=True, help="The last LIMIT results.")
@click.option("-s", "--skip", default=0, help="Skip the newest SKIP activations.")
@click.option("-f", "--function", help="Results of this function (pkg/fn).")
@click.option("-q", "--quiet", is_flag=True, help="No banner line before each result.")
@client_command
def activation_result(
    client: EmulatorClient,
    activation_id: str | None,
    last: bool,
    limit: int,
    skip: int,
    function: str | None,
    quiet: bool,
) -> None:
    """Print the result of an activation, or of the newest ones (oldest first)."""
    if activation_id is not None:
        click.echo(out.go_json(client.activation_result(activation_id).get("result")))
        return
    listed = client.list_activations(name=function, limit=_limit(max(limit, 1)), skip=skip)
    results = [(record, client.activation_result(record["activationId"])) for record in listed]
    for record, result in reversed(results):
        if not quiet:
            click.echo(out.banner(record))
        click.echo(out.go_json(result.get("result")))


# --- functions --------------------------------------------------------------------------------


@click.group()
def functions() -> None:
    """Functions: list, get, invoke."""


functions.add_command(invoke)


@functions.command("list")
@click.argument("package", required=False)
@click.option("-l", "--limit", default=30, show_default=True, help="At most LIMIT (max 200).")
@click.option("-s", "--skip", default=0, help="Skip the first SKIP functions.")
@click.option("--count", is_flag=True, help="Show only the number of functions.")
@click.option("--name-sort", "-n", "--name", "name_sort", is_flag=True, help="Sort by name.")
@client_command
def list_functions(
    client: EmulatorClient,
    package: str | None,
    limit: int,
    skip: int,
    count: bool,
    name_sort: bool,
) -> None:
    """List the functions, or those of PACKAGE."""
    listed = client.list_functions(package, limit=_limit(limit), skip=skip)
    if count:
        are, plural = ("is", "") if len(listed) == 1 else ("are", "s")
        click.echo(f"There {are} {len(listed)} function{plural} in this namespace.")
        return
    if name_sort:
        listed.sort(key=lambda action: str(action.get("name", "")))
    rows = [
        (
            out.short_time(int(action.get("updated", 0))),
            action.get("version", ""),
            out.annotation(action, "exec") or "<unknown>",
            _qualified_name(action),
        )
        for action in listed
    ]
    headers = ("Latest Update", "Latest Version", "Runtime Kind", "Function Name")
    click.echo(out.table(headers, rows))


def _qualified_name(action: Mapping[str, Any]) -> str:
    """`pkg/fn`: an action's `namespace` field is `ns/pkg` for one in a package."""
    parts = str(action.get("namespace", "")).split("/")
    name = str(action.get("name", ""))
    return f"{parts[1]}/{name}" if len(parts) > 1 else name


@functions.command("get")
@click.argument("function")
@click.option("-r", "--url", is_flag=True, help="Print the function's URL.")
@click.option("--code", is_flag=True, help="Print the function's code (not a zip's).")
@client_command
def get_function(client: EmulatorClient, function: str, url: bool, code: bool) -> None:
    """Print a function's metadata, its URL or its code."""
    action = client.get_function(function, code=code)
    if url:
        click.echo(_function_url(action, client.base_url))
    elif code:
        exec_ = action.get("exec") or {}
        if exec_.get("binary"):
            raise click.ClickException("Binary code cannot be displayed on the console")
        click.echo(exec_.get("code", ""))
    else:
        click.echo(out.go_json(out.action_document(action)))


def _function_url(action: Mapping[str, Any], host: str) -> str:
    namespace, _, package = str(action.get("namespace", "")).partition("/")
    name = action.get("name", "")
    if out.annotation(action, "web-export") is True:
        return f"{host}/api/v1/web/{namespace}/{package or 'default'}/{name}"
    prefix = f"{package}/" if package else ""
    return f"{host}/api/v1/namespaces/{namespace}/actions/{prefix}{name}"


# --- triggers ---------------------------------------------------------------------------------


@click.group()
def triggers() -> None:
    """Scheduled triggers: list, fire."""


@triggers.command("list")
@client_command
def list_triggers(client: EmulatorClient) -> None:
    """List the scheduled triggers with their last and next runs."""
    rows = [
        (
            trigger.get("name", ""),
            (trigger.get("scheduled_details") or {}).get("cron", ""),
            trigger.get("function", ""),
            bool(trigger.get("is_enabled")),
            _run_time((trigger.get("scheduled_runs") or {}).get("last_run_at")),
            _run_time((trigger.get("scheduled_runs") or {}).get("next_run_at")),
        )
        for trigger in client.list_triggers()
    ]
    headers = ("Name", "Cron Expression", "Invokes", "Enabled", "Last Run At", "Next Run At")
    click.echo(out.table(headers, rows))


def _run_time(value: str | None) -> str:
    if not value:
        return "_"
    return datetime.fromisoformat(value).astimezone().strftime("%m/%d %I:%M:%S")


@triggers.command("fire")
@click.argument("name")
@client_command
def fire_trigger(client: EmulatorClient, name: str) -> None:
    """Fire trigger NAME now, as its schedule would; print the activation id."""
    click.echo(out.go_json(client.fire_trigger(name)))


CLIENT_COMMANDS = (invoke, activations, functions, triggers)
