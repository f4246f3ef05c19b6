"""Scenario 10: how long a command of the CLI takes, start to exit: `functions-emulator
--version`, and `functions-emulator functions list` against the running emulator; beside
doctl's `version` and `serverless functions list` against the same emulator, when
../shared/tools/doctl is there."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from harness import REPO, Served
from outcome import Outcome
from report import Figure, at_most

from emulator.settings import DEFAULT_CREDENTIALS

SCENARIO = "10 CLI command start"
CONSOLE_SCRIPT = Path(sys.executable).parent / "functions-emulator"
DOCTL_TOOLS = REPO.parent / "shared" / "tools" / "doctl"
DOCTL = DOCTL_TOOLS / "bin" / "doctl"
DOCTL_PLUGIN = DOCTL_TOOLS / "sandbox"
# The files of the plugin doctl checks for before a `serverless` command.
PLUGIN_FILES = ("sandbox.js", "node_modules", "package.json", "version")
# The user's own doctl settings, which would point it elsewhere.
DOCTL_VARIABLES = ("DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_API_URL", "DIGITALOCEAN_CONTEXT")
PEER = "doctl"
TARGET_MS = 150.0
TIMEOUT = 60


def wall_time(argv: Sequence[str], env: Mapping[str, str] | None = None) -> float:
    """Seconds from start to exit of one run of `argv` (in `env`, else ours), which must
    succeed."""
    started = time.perf_counter()
    done = subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        env=None if env is None else dict(env),
        timeout=TIMEOUT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return elapsed


def median_ms(runs: int, argv: Sequence[str], env: Mapping[str, str] | None = None) -> float:
    wall_time(argv, env)  # once untimed: the files in the page cache, as for a user's second call
    return statistics.median(wall_time(argv, env) for _ in range(runs)) * 1000


def doctl_environment(home: Path, api_host: str) -> dict[str, str] | None:
    """doctl connected to the emulator as its README sets it up: its plugin linked into a
    throwaway XDG_CONFIG_HOME, then `doctl serverless connect`; None without doctl or node."""
    node = shutil.which("node")
    if not DOCTL.exists() or not (DOCTL_PLUGIN / "sandbox.js").exists() or node is None:
        return None
    sandbox = home / "doctl" / "sandbox"
    sandbox.mkdir(parents=True)
    for name in PLUGIN_FILES:
        (sandbox / name).symlink_to(DOCTL_PLUGIN / name)
    (sandbox / "node").symlink_to(node)
    mine = {name: value for name, value in os.environ.items() if name not in DOCTL_VARIABLES}
    env = {
        **mine,
        "XDG_CONFIG_HOME": str(home),
        "DIGITALOCEAN_ACCESS_TOKEN": DEFAULT_CREDENTIALS.access_token,
        # This doctl asks for a newer plugin than the one beside it; its own override.
        "minServerlessVersion": (DOCTL_PLUGIN / "version").read_text().strip(),
    }
    auth = f"{DEFAULT_CREDENTIALS.uuid}:{DEFAULT_CREDENTIALS.key}"
    wall_time([str(DOCTL), "serverless", "connect", "--apihost", api_host, "--auth", auth], env)
    return env


async def measure(served: Served, workdir: Path, runs: int) -> Outcome:
    outcome = Outcome()
    port = str(urlsplit(served.url).port)
    ours: dict[str, float | None] = {"version": None, "list": None}
    theirs: dict[str, float | None] = {"version": None, "list": None}
    note = ""
    try:
        ours["version"] = median_ms(runs, [str(CONSOLE_SCRIPT), "--version"])
        ours["list"] = median_ms(runs, [str(CONSOLE_SCRIPT), "functions", "list", "--port", port])
        env = doctl_environment(workdir / "doctl-config", served.url)
        if env is None:
            note = f"doctl not measured: {DOCTL} (or its plugin, or node) is missing"
        else:
            theirs["version"] = median_ms(runs, [str(DOCTL), "version"], env)
            theirs["list"] = median_ms(runs, [str(DOCTL), "serverless", "functions", "list"], env)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        outcome.failures.append(f"10: {error}")
    outcome.figures += [
        Figure(
            SCENARIO,
            "functions-emulator --version",
            ours["version"],
            "ms",
            at_most(TARGET_MS),
            ((PEER, theirs["version"]),),
            note,
        ),
        Figure(
            SCENARIO,
            "functions-emulator functions list",
            ours["list"],
            "ms",
            at_most(TARGET_MS),
            ((PEER, theirs["list"]),),
            note,
        ),
    ]
    outcome.notes.append(
        f"10: median of {runs} run(s) after one untimed, start to exit, of "
        "`.venv/bin/functions-emulator --version` and `… functions list --port P` against the "
        "emulator of scenarios 1-7 (its four functions); doctl's column: `doctl version` and "
        "`doctl serverless functions list`, connected to the same emulator as "
        "../shared/tools/doctl/README.md sets it up." + (f" {note}." if note else "")
    )
    return outcome
