"""`functions-emulator debug-config`: VS Code's launch.json entries for each language's
debugger, with the project's paths mapped, merged into the file's own entries."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from emulator.cli.main import main

PROJECT = {
    "project.yml": (
        "packages:\n  - name: mixed\n    functions:\n"
        "      - {name: py, runtime: 'python:3.11'}\n"
        "      - {name: js, runtime: 'nodejs:18'}\n"
        "      - {name: go, runtime: 'go:1.20'}\n"
        "      - {name: php, runtime: 'php:8.2'}\n"
    ),
    "packages/mixed/py.py": "def main(args):\n    return {}\n",
    "packages/mixed/js.js": "exports.main = () => ({});\n",
    "packages/mixed/go.go": (
        "package main\n\nfunc Main(a map[string]interface{}) map[string]interface{} {\n"
        "\treturn a\n}\n"
    ),
    "packages/mixed/php.php": "<?php\nfunction main(array $a): array { return $a; }\n",
}


def _project(root: Path) -> Path:
    for name, text in PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_debug_config_writes_an_entry_per_debugger_with_the_project_s_paths(tmp_path: Path):
    project = _project(tmp_path / "workspace" / "functions")
    launch = tmp_path / "workspace" / ".vscode" / "launch.json"
    launch.parent.mkdir(parents=True)
    theirs = {"name": "My app", "type": "node", "request": "launch"}
    launch.write_text(json.dumps({"version": "0.2.0", "configurations": [theirs]}))

    for _ in range(2):  # writing again replaces its own entries only
        written = CliRunner().invoke(
            main, ["debug-config", str(project), "--out", str(launch), "--xdebug-port", "9010"]
        )
        assert written.exit_code == 0, written.output

    document = json.loads(launch.read_text())
    entries = {c["name"]: c for c in document["configurations"]}
    assert list(entries) == [
        "My app",
        "functions-emulator: Python (debugpy)",
        "functions-emulator: Node.js (inspector)",
        "functions-emulator: Go mixed/go (Delve)",
        "functions-emulator: PHP (listen for Xdebug)",
    ]
    local, remote = "${workspaceFolder}/functions", str(project.resolve())
    python = entries["functions-emulator: Python (debugpy)"]
    assert python["pathMappings"] == [{"localRoot": local, "remoteRoot": remote}]
    assert python["connect"]["port"] == "${input:functionsEmulatorDebugPort}"
    node = entries["functions-emulator: Node.js (inspector)"]
    assert (node["localRoot"], node["remoteRoot"]) == (local, remote)
    go = entries["functions-emulator: Go mixed/go (Delve)"]
    assert go["substitutePath"] == [{"from": f"{local}/packages/mixed", "to": "exec"}]
    php = entries["functions-emulator: PHP (listen for Xdebug)"]
    assert (php["port"], php["pathMappings"]) == (9010, {remote: local})
    assert [i["id"] for i in document["inputs"]] == ["functionsEmulatorDebugPort"]
