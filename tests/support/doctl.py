"""The real doctl and its serverless plugin, from ../shared/tools/doctl, set up as
`doctl serverless install` would leave them, without the download."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from emulator.settings import DEFAULT_CREDENTIALS
from tests.support.ci import require
from tests.support.clients import client_environment
from tests.support.paths import REPO

TOOLS = REPO.parent / "shared" / "tools" / "doctl"
DOCTL = TOOLS / "bin" / "doctl"
PLUGIN = TOOLS / "sandbox"
# The files of the plugin that doctl runs (`<sandbox>/node <sandbox>/sandbox.js`).
PLUGIN_FILES = ("sandbox.js", "node_modules", "package.json", "version")
# The emulator's control-plane token for the default key, as the banner prints it.
TOKEN = DEFAULT_CREDENTIALS.access_token
# The developer's own doctl settings, which would point it elsewhere.
DOCTL_VARIABLES = ("DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_API_URL", "DIGITALOCEAN_CONTEXT")
TIMEOUT = 180


def require_doctl() -> None:
    """Skip without ../shared/tools/doctl (a user's clone), except in CI, where it is there."""
    require(DOCTL.exists() and (PLUGIN / "sandbox.js").exists(), f"doctl is missing: {DOCTL}")
    require(shutil.which("node") is not None, "node is missing: doctl's deploy plugin runs on it")


def install_plugin(config_home: Path) -> str:
    """The plugin in `config_home`/doctl/sandbox, linked to the shared copy (doctl writes its
    credentials there, so the folder itself must be ours); its version, which doctl must be
    told to accept (this doctl asks for a newer one)."""
    sandbox = config_home / "doctl" / "sandbox"
    sandbox.mkdir(parents=True, exist_ok=True)
    for name in PLUGIN_FILES:
        link = sandbox / name
        if not link.exists():
            link.symlink_to(PLUGIN / name)
    node = sandbox / "node"
    if not node.exists():
        node.symlink_to(shutil.which("node") or "node")
    return (PLUGIN / "version").read_text().strip()


def doctl_environment(home: Path, api_url: str | None, **extra: str) -> dict[str, str]:
    """A shell's environment after the docs' setup: doctl and functions-emulator on PATH, the
    plugin installed under a throwaway XDG_CONFIG_HOME, the emulator's token, and its URL as
    DIGITALOCEAN_API_URL (none: the control plane needs `--api-url`)."""
    require_doctl()
    config_home = home / "config"
    version = install_plugin(config_home)
    bin_dir = home / "bin"
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "doctl").exists():
        (bin_dir / "doctl").symlink_to(DOCTL)
    env = {k: v for k, v in client_environment(home).items() if k not in DOCTL_VARIABLES}
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env["PATH"]])
    control_plane = {"DIGITALOCEAN_API_URL": api_url} if api_url else {}
    return {
        **env,
        "PATH": path,
        "XDG_CONFIG_HOME": str(config_home),
        "minServerlessVersion": version,  # doctl's own override of the version it needs
        "DIGITALOCEAN_ACCESS_TOKEN": TOKEN,
        **control_plane,
        **extra,
    }


def run_doctl(
    env: dict[str, str], *args: str, cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`doctl ARGS`, its output and status; with `check`, a failure fails the test."""
    done = subprocess.run(
        [str(DOCTL), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if check:
        assert done.returncode == 0, f"doctl {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done
