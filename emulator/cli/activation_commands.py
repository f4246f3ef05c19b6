"""`functions-emulator activations`: list, get, logs and result, as `doctl serverless
activations` does, over a running emulator's REST API."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import click

from emulator.cli import doctl_output as out
from emulator.cli.client_command import client_command, list_limit
from emulator.cli.replay_commands import replay, to_test
from emulator.client.rest import EmulatorClient

# doctl polls every 5 s.
FOLLOW_INTERVAL = 5.0


@click.group()
def activations() -> None:
    """Activation records: list, get, logs, result; replay one, or make it a test."""


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
        name=function, limit=list_limit(limit), skip=skip, since=since, upto=upto, docs=full
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
    listed = client.list_activations(name=function, limit=list_limit(limit), docs=True)
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
    listed = client.list_activations(name=function, limit=list_limit(max(limit, 1)), skip=skip)
    results = [(record, client.activation_result(record["activationId"])) for record in listed]
    for record, result in reversed(results):
        if not quiet:
            click.echo(out.banner(record))
        click.echo(out.go_json(result.get("result")))


activations.add_command(replay)
activations.add_command(to_test)
