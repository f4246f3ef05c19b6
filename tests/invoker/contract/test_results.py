"""What every runtime does with a call: its result, its parameters, its warm state, its errors.

Each scenario is one function written in each language (a table keyed by runtime family) and
one test over them all, with the same assertions. What only one language does is tested in
that language's module (tests/invoker/test_<family>_runtime.py, test_invoker.py for Python).
"""

from __future__ import annotations

import asyncio
import re

import pytest

from emulator.invoker import messages
from emulator.namespace.entities import Package, StatusCode, parameters_from
from tests.support.invoking import annotation, messages_of, run

RESULT = {
    "python": """
        def main(args):
            print("greeted", args.get("name"))
            return {"body": "Hello " + args.get("name", "stranger") + "!"}
    """,
    "nodejs": """
        function main(args) {
          console.log('greeted', args.name);
          return {body: 'Hello ' + (args.name || 'stranger') + '!'};
        }
    """,
    "go": """
        package main

        import "fmt"

        func Main(args map[string]interface{}) map[string]interface{} {
            name, ok := args["name"].(string)
            if !ok {
                name = "stranger"
            }
            fmt.Println("greeted", name)
            return map[string]interface{}{"body": "Hello " + name + "!"}
        }
    """,
    "php": """
        <?php
        function main(array $args): array
        {
            echo 'greeted ', $args['name'] ?? '', "\\n";
            return ['body' => 'Hello ' . ($args['name'] ?? 'stranger') . '!'];
        }
    """,
}
# The size of a result is that of the reply line, as each runtime's JSON encoder writes it.
RESULT_REPLY = {
    "python": '{"body": "Hello Ada!"}',
    "nodejs": '{"body":"Hello Ada!"}',
    "go": '{"body":"Hello Ada!"}',
    "php": '{"body":"Hello Ada!"}',
}


@pytest.mark.parametrize("runtime", RESULT, indirect=True)
async def test_a_result_is_returned_recorded_and_logged(runtime, invoker, functions, store):
    runtime.add(functions, "hello", RESULT[runtime.family])
    activation = await run(invoker, "pkg/hello", {"name": "Ada"})
    assert activation.response.status_code is StatusCode.SUCCESS
    assert activation.response.result == {"body": "Hello Ada!"}
    assert activation.response.size == len(RESULT_REPLY[runtime.family])
    assert len(activation.logs) == 1
    assert activation.logs[0].endswith("Z stdout: greeted Ada")
    assert await store.get(activation.activation_id) == activation


ECHO = {
    "python": "def main(args):\n    return args\n",
    "nodejs": "function main(args) {\n  return args;\n}\n",
    "go": """
        package main

        func Main(args map[string]interface{}) map[string]interface{} {
            return args
        }
    """,
    # A main of one parameter: PHP drops the context it is called with too.
    "php": "<?php\nfunction main(array $args): array { return $args; }\n",
}


@pytest.mark.parametrize("runtime", ECHO, indirect=True)
async def test_parameters_merge_package_then_function_then_request(runtime, invoker, functions):
    runtime.add(
        functions,
        "echo",
        ECHO[runtime.family],
        parameters={"fn": 1, "shared": "function"},
        annotations={"final": False},
    )
    functions.add_package(
        Package("fn-test", "pkg", parameters=parameters_from({"pkg": 1, "shared": "package"}))
    )
    result = (await run(invoker, "pkg/echo", {"req": 1, "shared": "request"})).response.result
    assert result == {"pkg": 1, "fn": 1, "req": 1, "shared": "request"}


COUNTER = {
    "python": """
        import os
        calls = 0
        def main():
            global calls
            calls += 1
            return {"calls": calls, "pid": os.getpid()}
    """,
    "nodejs": """
        let calls = 0;
        function main() {
          calls += 1;
          return {calls, pid: process.pid};
        }
    """,
    "go": """
        package main

        import "os"

        var calls = 0

        func Main(args map[string]interface{}) map[string]interface{} {
            calls++
            return map[string]interface{}{"calls": calls, "pid": os.Getpid()}
        }
    """,
    "php": """
        <?php
        $calls = 0;
        function main(array $event): array
        {
            global $calls;
            $calls++;
            return ['calls' => $calls, 'pid' => getmypid()];
        }
    """,
}


@pytest.mark.parametrize("runtime", COUNTER, indirect=True)
async def test_a_warm_process_keeps_module_state_and_skips_init(runtime, invoker, functions):
    runtime.add(functions, "counter", COUNTER[runtime.family])
    first = await run(invoker, "pkg/counter")
    second = await run(invoker, "pkg/counter")
    assert first.response.result["calls"] == 1
    assert second.response.result == {"calls": 2, "pid": first.response.result["pid"]}
    assert isinstance(annotation(first, "initTime"), int)
    assert annotation(second, "initTime") is None


SLOW = {
    "python": """
        import os, time
        def main():
            time.sleep(0.5)
            return {"pid": os.getpid()}
    """,
    "nodejs": """
        async function main() {
          await new Promise((resolve) => setTimeout(resolve, 500));
          return {pid: process.pid};
        }
    """,
    "go": """
        package main

        import (
            "os"
            "time"
        )

        func Main(args map[string]interface{}) map[string]interface{} {
            time.Sleep(500 * time.Millisecond)
            return map[string]interface{}{"pid": os.Getpid()}
        }
    """,
    "php": """
        <?php
        function main(array $event): array
        {
            usleep(500000);
            return ['pid' => getmypid()];
        }
    """,
}


@pytest.mark.parametrize("runtime", SLOW, indirect=True)
async def test_concurrent_calls_each_get_their_own_process(runtime, invoker, functions):
    runtime.add(functions, "slow", SLOW[runtime.family])
    a, b = await asyncio.gather(run(invoker, "pkg/slow"), run(invoker, "pkg/slow"))
    assert a.response.success and b.response.success
    assert a.response.result["pid"] != b.response.result["pid"]


HANDLER = {
    "python": "def handler():\n    return {'called': 'handler'}\n",
    "nodejs": "function handler() {\n  return {called: 'handler'};\n}\n",
    "go": """
        package main

        func handler() map[string]string {
            return map[string]string{"called": "handler"}
        }
    """,
    "php": """
        <?php
        function handler(array $event): array
        {
            return ['called' => 'handler'];
        }
    """,
}


@pytest.mark.parametrize("runtime", HANDLER, indirect=True)
async def test_the_configured_entry_point_is_called(runtime, invoker, functions):
    runtime.add(functions, "named", HANDLER[runtime.family], main="handler")
    assert (await run(invoker, "pkg/named")).response.result == {"called": "handler"}


# A directory function: its entry file, and a module of its own beside it.
DIRECTORY = {
    "python": (
        """
        import os
        from helper import shout
        def main(args):
            return {"body": shout(args["w"]), "cwd": os.getcwd()}
        """,
        {"helper.py": "def shout(w):\n    return w.upper()\n"},
    ),
    "nodejs": (
        """
        const {shout} = require('./helper');
        exports.main = (args) => ({body: shout(args.w), cwd: process.cwd()});
        """,
        {"helper.js": "exports.shout = (w) => w.toUpperCase();\n"},
    ),
    "go": (
        """
        package main

        import "os"

        func Main(args map[string]interface{}) map[string]interface{} {
            cwd, _ := os.Getwd()
            w, _ := args["w"].(string)
            return map[string]interface{}{"body": shout(w), "cwd": cwd}
        }
        """,
        {
            "helper.go": (
                'package main\n\nimport "strings"\n\n'
                "func shout(w string) string { return strings.ToUpper(w) }\n"
            )
        },
    ),
    "php": (
        """
        <?php
        require __DIR__ . '/helper.php';
        function main(array $event): array
        {
            return ['body' => shout($event['w']), 'cwd' => getcwd()];
        }
        """,
        {"helper.php": "<?php\nfunction shout(string $w): string { return strtoupper($w); }\n"},
    ),
}


@pytest.mark.parametrize("runtime", DIRECTORY, indirect=True)
async def test_a_directory_function_imports_its_own_modules_and_runs_in_its_directory(
    runtime, invoker, functions
):
    code, files = DIRECTORY[runtime.family]
    action = runtime.add(functions, "dir", code, files=files)
    activation = await run(invoker, "pkg/dir", {"w": "hey"})
    assert activation.response.result == {"body": "HEY", "cwd": str(action.exec.source)}


REFUSES = {
    "python": """
        import os
        def main(args):
            return {"error": args["error"], "pid": os.getpid()}
    """,
    "nodejs": "function main(args) {\n  return {error: args.error, pid: process.pid};\n}\n",
    "go": """
        package main

        import "os"

        func Main(args map[string]interface{}) map[string]interface{} {
            return map[string]interface{}{"error": args["error"], "pid": os.Getpid()}
        }
    """,
    "php": """
        <?php
        function main(array $event): array
        {
            return ['error' => $event['error'], 'pid' => getmypid()];
        }
    """,
}


@pytest.mark.parametrize("error", [{"statusCode": 404}, "no name given"], ids=["object", "text"])
@pytest.mark.parametrize("runtime", REFUSES, indirect=True)
async def test_a_result_with_error_is_an_application_error_of_that_error_alone_and_stays_warm(
    runtime, invoker, functions, error
):
    runtime.add(functions, "oops", REFUSES[runtime.family])
    first = await run(invoker, "pkg/oops", {"error": error})
    assert first.response.status_code is StatusCode.APPLICATION_ERROR
    assert first.response.result == {"error": error}
    second = await run(invoker, "pkg/oops", {"error": error})
    assert annotation(second, "initTime") is None


# Fails its first call only.
RAISES = {
    "python": """
        calls = 0
        def main():
            global calls
            calls += 1
            if calls == 1:
                raise ValueError("bad input")
            return {"calls": calls}
    """,
    "nodejs": """
        let calls = 0;
        function main() {
          calls += 1;
          if (calls === 1) throw new Error('bad input');
          return {calls};
        }
    """,
    "go": """
        package main

        var calls = 0

        func Main(args map[string]interface{}) map[string]interface{} {
            calls++
            if calls == 1 {
                panic("bad input")
            }
            return map[string]interface{}{"calls": calls}
        }
    """,
    "php": """
        <?php
        $calls = 0;
        function main(array $event): array
        {
            global $calls;
            $calls++;
            if ($calls === 1) {
                throw new RuntimeException('bad input');
            }
            return ['calls' => $calls];
        }
    """,
}
# Each runtime's error, and the log line (stream, pattern) it writes of it, if any.
RAISED = {
    "python": ("bad input", ("stderr", r"ValueError: bad input")),
    "nodejs": ("bad input", ("stdout", r"Error: bad input")),
    "go": ("function panicked: bad input", None),
    "php": (
        "An error occurred running the function.",
        ("stderr", r"RuntimeException: bad input in .*/raises\.php:\d+"),
    ),
}


@pytest.mark.parametrize("runtime", RAISES, indirect=True)
async def test_an_exception_is_an_application_error_in_the_runtimes_words_and_the_process_stays(
    runtime, invoker, functions
):
    runtime.add(functions, "raises", RAISES[runtime.family])
    error, logged = RAISED[runtime.family]
    first = await run(invoker, "pkg/raises")
    assert first.response.status_code is StatusCode.APPLICATION_ERROR
    assert first.response.result == {"error": error}
    if logged is not None:
        stream, pattern = logged
        assert any(re.fullmatch(pattern, line) for line in messages_of(first, stream))
    second = await run(invoker, "pkg/raises")
    assert second.response.result == {"calls": 2}
    assert annotation(second, "initTime") is None


NUMBER = {
    "python": "def main():\n    return 42\n",
    "nodejs": "function main() {\n  return 42;\n}\n",
    "go": "package main\n\nfunc Main() int {\n\treturn 42\n}\n",
    "php": "<?php\nfunction main(array $event) { return 42; }\n",
}
# What each runtime logs of it besides.
NUMBER_COMPLAINTS: dict[str, list[str]] = {
    "python": [],
    "nodejs": ['stderr: Result must be of type object but has type "number": 42'],
    "go": [],
    "php": [
        'stderr: Result must be an array but has type "integer": 42',
        "stdout: The function did not return a dictionary.",
    ],
}


@pytest.mark.parametrize("runtime", NUMBER, indirect=True)
async def test_a_number_result_is_a_developer_error(runtime, invoker, functions):
    runtime.add(functions, "scalar", NUMBER[runtime.family])
    activation = await run(invoker, "pkg/scalar")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.NOT_A_DICTIONARY}
    for complaint in NUMBER_COMPLAINTS[runtime.family]:
        assert complaint in messages_of(activation)
