"""Go functions build with the user's Go environment (GOPROXY, GOFLAGS, GONOSUMDB, the module
cache), as their own `go build` would: a go.mod that requires a module builds from the
proxy; with the proxy out of reach, the developer error says so in one line.

Offline, with a file-based GOPROXY that the test makes, holding one small module."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from emulator.invoker.launchers.golang import GoLauncher
from emulator.namespace.entities import Limits, StatusCode
from tests.support.ci import require
from tests.support.invoking import run

MODULE = "example.com/greeting"
VERSION = "v1.0.0"
GO_MOD = f"module {MODULE}\n\ngo 1.20\n"
GREETING = 'package greeting\n\nfunc Hello() string { return "hello from a module" }\n'
NEEDS_MODULE = {
    "go.mod": f"module needsmod\n\ngo 1.20\n\nrequire {MODULE} {VERSION}\n",
    "main.go": (
        f'package main\n\nimport "{MODULE}"\n\n'
        "func Main(args map[string]interface{}) map[string]interface{} {\n"
        '\treturn map[string]interface{}{"body": greeting.Hello()}\n}\n'
    ),
}
COMPILING = Limits(timeout=300_000, memory=1024)


def make_proxy(root: Path) -> Path:
    """A GOPROXY folder (the module proxy protocol, as files) with one module version."""
    versions = root / MODULE / "@v"
    versions.mkdir(parents=True)
    (versions / "list").write_text(f"{VERSION}\n")
    (versions / f"{VERSION}.info").write_text(
        json.dumps({"Version": VERSION, "Time": "2026-01-01T00:00:00Z"})
    )
    (versions / f"{VERSION}.mod").write_text(GO_MOD)
    with zipfile.ZipFile(versions / f"{VERSION}.zip", "w") as archive:
        archive.writestr(f"{MODULE}@{VERSION}/go.mod", GO_MOD)
        archive.writestr(f"{MODULE}@{VERSION}/greeting.go", GREETING)
    return root


@pytest.fixture
def go_with(launchers, tmp_path):
    """A Go launcher that reads `environ` as the user's environment, with a module cache
    and a binary cache of this test's own."""
    session = launchers["go"]
    assert isinstance(session, GoLauncher)
    require(session.toolchain is not None, str(session.problem("go:1.25")))
    assert session.toolchain is not None
    program, build_cache = session.toolchain.program, session.toolchain.build_cache

    def make(**environ: str) -> GoLauncher:
        user = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path / "home"),
            # The session's compiled standard library: only the function is compiled.
            "GOCACHE": build_cache,
            "GOMODCACHE": str(tmp_path / "modules"),
            # Module files are read-only by default, which tmp_path's cleanup dislikes.
            "GOFLAGS": "-modcacherw",
            **environ,
        }
        return GoLauncher.discover(program, cache_dir=tmp_path / "go", environ=user)

    return make


async def test_a_go_mod_requirement_builds_from_the_users_goproxy(
    go_with, make_invoker, functions, tmp_path
):
    proxy = make_proxy(tmp_path / "proxy")
    launcher = go_with(GOPROXY=proxy.as_uri(), GONOSUMDB=MODULE)
    functions.add("needsmod", "", kind="go:1.25", files=NEEDS_MODULE, limits=COMPILING)
    activation = await run(make_invoker(families={"go": launcher}), "pkg/needsmod")
    assert activation.response.status_code is StatusCode.SUCCESS, activation.logs
    assert activation.response.result == {"body": "hello from a module"}
    # Downloaded into the user's module cache, as their own build would.
    assert (tmp_path / "modules" / "cache/download" / MODULE / "@v" / f"{VERSION}.zip").exists()


async def test_an_unreachable_goproxy_is_a_one_line_developer_error_suggesting_go_mod_vendor(
    go_with, make_invoker, functions
):
    # Nothing listens on the discard port: the proxy refuses every connection.
    launcher = go_with(GOPROXY="http://127.0.0.1:9", GONOSUMDB=MODULE)
    functions.add("needsmod", "", kind="go:1.25", files=NEEDS_MODULE, limits=COMPILING)
    activation = await run(make_invoker(families={"go": launcher}), "pkg/needsmod")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {
        "error": "Cannot download the modules go.mod requires: the module proxy "
        "(GOPROXY=http://127.0.0.1:9) cannot be reached; vendor them into the function with "
        "`go mod vendor`, or build once online."
    }
    assert any("connection refused" in line for line in activation.logs)
