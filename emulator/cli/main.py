"""The `functions-emulator` command: `serve`, and the doctl-shaped client commands."""

from __future__ import annotations

import click

from emulator import __version__
from emulator.cli.access_key_command import access_key
from emulator.cli.activation_commands import activations
from emulator.cli.debug_config import debug_config
from emulator.cli.function_commands import functions, invoke
from emulator.cli.runtime_commands import runtimes
from emulator.cli.serve import serve
from emulator.cli.trigger_commands import triggers


@click.group()
@click.version_option(__version__, prog_name="functions-emulator")
def main() -> None:
    """A local emulator of DigitalOcean Functions (Apache OpenWhisk)."""


for _command in (
    serve,
    invoke,
    activations,
    functions,
    triggers,
    runtimes,
    debug_config,
    access_key,
):
    main.add_command(_command)
