"""`functions-emulator access-key`: a new namespace access key, as DigitalOcean issues them."""

from __future__ import annotations

import secrets

import click

from emulator.cli.shared_options import auth_option
from emulator.settings import Credentials


@click.command("access-key")
@auth_option()
def access_key(auth: Credentials) -> None:
    """Print a new access key, dof_v1_<id>:<secret>, for the namespace of --auth.

    The emulator accepts it as Basic credentials on /api/v1, as doctl sends it after
    `doctl serverless connect <namespace> --access-key <key>`. Keys are signed with the
    namespace key, so nothing is stored: a new --auth revokes them all."""
    click.echo(auth.access_key(secrets.token_hex(16)))
