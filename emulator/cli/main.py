"""The `functions-emulator` command: `serve`, and the doctl-shaped client commands.

Each command's module is imported only when that command runs (or `--help` lists them all):
a client command then imports no server code, and `serve` no client code. Importing every
command up front cost 0.4 s of a 0.44 s `functions-emulator --version`."""

from __future__ import annotations

import importlib

import click

from emulator import __version__

# Each command's name, and where it is defined, in the order `--help` lists them.
COMMANDS = {
    "access-key": "emulator.cli.access_key_command:access_key",
    "activations": "emulator.cli.activation_commands:activations",
    "debug-config": "emulator.cli.debug_config:debug_config",
    "functions": "emulator.cli.function_commands:functions",
    "invoke": "emulator.cli.function_commands:invoke",
    "runtimes": "emulator.cli.runtime_commands:runtimes",
    "serve": "emulator.cli.serve:serve",
    "triggers": "emulator.cli.trigger_commands:triggers",
}


class CommandTable(click.Group):
    """A group whose commands are imported when asked for by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        known = super().get_command(ctx, cmd_name)
        if known is not None or cmd_name not in COMMANDS:
            return known
        module, _, name = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        self.add_command(command, cmd_name)
        return command


@click.group(cls=CommandTable)
@click.version_option(__version__, prog_name="functions-emulator")
def main() -> None:
    """A local emulator of DigitalOcean Functions (Apache OpenWhisk)."""
