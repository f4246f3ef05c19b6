"""`functions-emulator invoke` and `functions`: list, get and invoke, as `doctl serverless
functions` does, over a running emulator's REST API."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from emulator.cli import doctl_output as out
from emulator.cli.client_command import client_command, list_limit
from emulator.client.rest import EmulatorClient

DEMOTED = (
    "Request accepted, but processing not completed yet.\n"
    "All functions invocation >= 30s will get demoted to an asynchronous invocation. "
    "Use --no-wait flag to immediately return the activation id.\n"
    "Use this command to view the results.\n"
    "functions-emulator activations result {id}\n"
)


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
        click.echo(DEMOTED.format(id=reply.json().get("activationId", "")))
        return
    click.echo(out.go_json(reply.json()))
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
    listed = client.list_functions(package, limit=list_limit(limit), skip=skip)
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
