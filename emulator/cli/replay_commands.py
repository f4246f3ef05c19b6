"""`functions-emulator activations replay` and `to-test`: an activation made again, or
written down as a pytest test, over a running emulator's own routes."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import click

from emulator.cli.client_command import client_command
from emulator.client.rest import EmulatorClient
from emulator.namespace.recordings import CODES
from emulator.replay.comparison import difference, outcome_lines, side_by_side
from emulator.replay.test_source import render_test, test_file_name

FUNCTION_HELP = "Without ACTIVATION_ID: the newest activation of this function (pkg/fn)."


def _chosen(client: EmulatorClient, activation_id: str | None, function: str | None) -> str:
    """ACTIVATION_ID, or the newest activation (of `function`), as `activations get` picks."""
    if activation_id is not None:
        return activation_id
    newest = client.list_activations(name=function, limit=1)
    if not newest:
        raise click.ClickException("no activations were returned")
    return str(newest[0]["activationId"])


@click.command("replay")
@click.argument("activation_id", required=False)
@click.option("-f", "--function", help=FUNCTION_HELP)
@click.option(
    "--code",
    type=click.Choice(CODES),
    default="current",
    show_default=True,
    help="Run the function's code as it is now, or the version the activation ran (kept for "
    "code up to 10 MB in .emulator/code-history).",
)
@click.option("--json", "as_json", is_flag=True, help="Print both records as JSON.")
@client_command
def replay(
    client: EmulatorClient,
    activation_id: str | None,
    function: str | None,
    code: str,
    as_json: bool,
) -> None:
    """Invoke ACTIVATION_ID's function again with the same request; print both results. The
    newest activation by default."""
    replayed = client.replay(_chosen(client, activation_id, function), code=code)
    if as_json:
        click.echo(json.dumps(replayed, indent=2, ensure_ascii=False))
        return
    click.echo("\n".join(comparison(replayed)))


def comparison(replayed: dict[str, Any]) -> list[str]:
    """The replay's report: what ran, both outcomes side by side, and their difference."""
    original, again = replayed["original"], replayed["replay"]
    old_id, new_id = original["activationId"], replayed["activationId"]
    function = _path(original)
    lines = [f"Replayed {function} (code: {replayed['code']}): {old_id} → {new_id}", ""]
    if again is None:
        return [*lines, f"Still running; see `functions-emulator activations get {new_id}`."]
    before, after = outcome_lines(original), outcome_lines(again)
    lines += side_by_side(["recorded " + old_id[:12], *before], ["replay " + new_id[:12], *after])
    changes = difference(before, after, before=f"recorded {old_id}", after=f"replay {new_id}")
    if not changes:
        return [*lines, "", "Same status and result."]
    return [*lines, "", "The outcomes differ:", *changes]


def _path(record: dict[str, Any]) -> str:
    path = next((a["value"] for a in record["annotations"] if a["key"] == "path"), "")
    return str(path).partition("/")[2] or str(record["name"])


@click.command("to-test")
@click.argument("activation_id", required=False)
@click.option("-f", "--function", help=FUNCTION_HELP)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Where to write the test ('-': print it) [default: tests/test_<fn>.py]",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@client_command
def to_test(
    client: EmulatorClient,
    activation_id: str | None,
    function: str | None,
    out: Path | None,
    force: bool,
) -> None:
    """Write ACTIVATION_ID (the newest by default) down as a pytest test of its function,
    using the functions_emulator fixture."""
    activation_id = _chosen(client, activation_id, function)
    doc = client.activation_request(activation_id)
    command = "functions-emulator activations to-test " + shlex.quote(activation_id)
    try:
        source = render_test(doc, command=command)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if out is not None and str(out) == "-":
        click.echo(source, nl=False)
        return
    target = out or Path(test_file_name(str(doc["function"])))
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists: pass --force, or --out another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")
    click.echo(f"Wrote {target}: run it with `pytest {target}`.")
