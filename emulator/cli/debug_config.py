"""`functions-emulator debug-config`: the VS Code launch.json entries that attach to each
language's debugger under `serve --debug`, with the paths mapped to the project's files.

The emulator gives each Python, Node.js and Go process a debugger port of its own and prints
it as the process starts, so those entries ask for the port (an `inputs` prompt). PHP's
Xdebug connects to the IDE instead: its entry listens on the --xdebug-port.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from emulator.app import read_project
from emulator.cli.serve import project_file
from emulator.invoker.debugging import XDEBUG_DEFAULT_PORT
from emulator.namespace.clock import SystemClock
from emulator.namespace.entities import Action
from emulator.project.project_error import ProjectError
from emulator.settings import Settings

# Every entry this command writes is named so: writing again replaces them, and only them.
NAME_PREFIX = "functions-emulator: "
PORT_INPUT = "functionsEmulatorDebugPort"
HOST = "127.0.0.1"


@click.command("debug-config")
@click.argument("project", default=".", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default=Path(".vscode/launch.json"),
    show_default=True,
    help="The launch.json to write ('-': print the entries); its other entries are kept.",
)
@click.option(
    "--xdebug-port",
    default=XDEBUG_DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="The port PHP's entry listens on (serve's --xdebug-port).",
)
def debug_config(project: Path, out: Path, xdebug_port: int) -> None:
    """Write VS Code's launch.json entries for debugging PROJECT's functions."""
    try:
        loaded = read_project(Settings(project_file=project_file(project)), SystemClock())
    except ProjectError as error:
        raise click.ClickException(str(error)) from None
    workspace = Path.cwd() if str(out) == "-" else out.resolve().parent.parent
    document = launch_document(loaded.actions, loaded.root, workspace, xdebug_port=xdebug_port)
    if str(out) == "-":
        click.echo(json.dumps(document, indent=2))
        return
    merged = _merged(out, document)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    names = ", ".join(c["name"].removeprefix(NAME_PREFIX) for c in document["configurations"])
    click.echo(f"Wrote {out}: {names}.")


def launch_document(
    actions: Iterable[Action], root: Path, workspace: Path, *, xdebug_port: int
) -> dict[str, Any]:
    """launch.json's `configurations` and `inputs` for the languages these functions use."""
    actions = sorted(actions, key=lambda a: a.path)
    families = {a.exec.kind.partition(":")[0] for a in actions}
    local = _local(root, workspace)
    remote = str(root.resolve())
    configurations: list[dict[str, Any]] = []
    if "python" in families:
        configurations.append(
            {
                "name": NAME_PREFIX + "Python (debugpy)",
                "type": "debugpy",
                "request": "attach",
                "connect": {"host": HOST, "port": f"${{input:{PORT_INPUT}}}"},
                "pathMappings": [{"localRoot": local, "remoteRoot": remote}],
                "justMyCode": False,
            }
        )
    if "nodejs" in families:
        configurations.append(
            {
                "name": NAME_PREFIX + "Node.js (inspector)",
                "type": "node",
                "request": "attach",
                "address": HOST,
                "port": f"${{input:{PORT_INPUT}}}",
                "localRoot": local,
                "remoteRoot": remote,
                "skipFiles": ["<node_internals>/**", "**/node_launcher.js"],
            }
        )
    for action in actions:
        if action.exec.kind.startswith("go:"):
            configurations.append(_go(action, root, local))
    if "php" in families:
        configurations.append(
            {
                "name": NAME_PREFIX + "PHP (listen for Xdebug)",
                "type": "php",
                "request": "launch",
                "port": xdebug_port,
                "pathMappings": {remote: local},
            }
        )
    inputs = [
        {
            "id": PORT_INPUT,
            "type": "promptString",
            "description": "The debugger port functions-emulator printed for the process",
        }
    ]
    return {"version": "0.2.0", "configurations": configurations, "inputs": inputs}


def _go(action: Action, root: Path, local: str) -> dict[str, Any]:
    """Delve names the files of a debug build `exec/<file>`: the function's folder, or the
    folder of its single file, is `exec` to it."""
    source = action.exec.source.resolve()
    folder = source if action.exec.binary else source.parent
    relative = os.path.relpath(folder, root.resolve())
    mapped = local if relative == "." else f"{local}/{Path(relative).as_posix()}"
    return {
        "name": NAME_PREFIX + f"Go {action.path} (Delve)",
        "type": "go",
        "request": "attach",
        "mode": "remote",
        "host": HOST,
        "port": f"${{input:{PORT_INPUT}}}",
        "substitutePath": [{"from": mapped, "to": "exec"}],
    }


def _local(root: Path, workspace: Path) -> str:
    """The project's folder as VS Code names it: under ${workspaceFolder} when it is there."""
    resolved, base = root.resolve(), workspace.resolve()
    if resolved == base:
        return "${workspaceFolder}"
    if resolved.is_relative_to(base):
        return "${workspaceFolder}/" + resolved.relative_to(base).as_posix()
    return str(resolved)


def _merged(out: Path, document: dict[str, Any]) -> dict[str, Any]:
    """`document` over the file's own entries: ours replaced, the others kept."""
    if not out.exists():
        return document
    try:
        existing = json.loads(out.read_text(encoding="utf-8"))
    except ValueError:
        raise click.ClickException(
            f"{out} is not plain JSON (comments?): print the entries with --out - and paste them"
        ) from None
    kept = [
        c
        for c in existing.get("configurations", [])
        if not str(c.get("name", "")).startswith(NAME_PREFIX)
    ]
    inputs = [i for i in existing.get("inputs", []) if i.get("id") != PORT_INPUT]
    return {
        **existing,
        "version": existing.get("version", "0.2.0"),
        "configurations": [*kept, *document["configurations"]],
        "inputs": [*inputs, *document["inputs"]],
    }
