"""`functions-emulator triggers`: list and fire the scheduled triggers of a running emulator."""

from __future__ import annotations

from datetime import datetime

import click

from emulator.cli import doctl_output as out
from emulator.cli.client_command import client_command
from emulator.client.rest import EmulatorClient


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
