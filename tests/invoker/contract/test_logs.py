"""What every runtime's output becomes: the activation's log lines, per stream, each in the
activation that printed it."""

from __future__ import annotations

import pytest

from tests.support.invoking import messages_of, run

STREAMS = {
    "python": """
        import sys
        def main():
            print("to stdout")
            print("to stderr", file=sys.stderr)
            print("again")
            return {}
    """,
    "nodejs": """
        function main() {
          console.log('to stdout');
          console.error('to stderr');
          console.log('again');
          return {};
        }
    """,
    "go": """
        package main

        import (
            "fmt"
            "os"
        )

        func Main(args map[string]interface{}) map[string]interface{} {
            fmt.Println("to stdout")
            fmt.Fprintln(os.Stderr, "to stderr")
            fmt.Println("again")
            return map[string]interface{}{}
        }
    """,
    "php": """
        <?php
        function main(array $event): array
        {
            echo "to stdout\\n";
            fwrite(STDERR, "to stderr\\n");
            echo "again\\n";
            return [];
        }
    """,
}


@pytest.mark.parametrize("runtime", STREAMS, indirect=True)
async def test_output_is_logged_per_stream_in_order(runtime, invoker, functions):
    runtime.add(functions, "chatty", STREAMS[runtime.family])
    activation = await run(invoker, "pkg/chatty")
    assert messages_of(activation, "stdout") == ["to stdout", "again"]
    assert messages_of(activation, "stderr") == ["to stderr"]


LOUD = {
    "python": """
        def main():
            for i in range(4000):
                print("line " + str(i).rjust(24, "0"))
            return {"done": True}
    """,
    "nodejs": """
        function main() {
          for (let i = 0; i < 4000; i++) console.log('line ' + String(i).padStart(24, '0'));
          return {done: true};
        }
    """,
    "go": """
        package main

        import "fmt"

        func Main(args map[string]interface{}) map[string]interface{} {
            for i := 0; i < 4000; i++ {
                fmt.Printf("line %024d\\n", i)
            }
            return map[string]interface{}{"done": true}
        }
    """,
    "php": """
        <?php
        function main(array $event): array
        {
            for ($i = 0; $i < 4000; $i++) {
                printf("line %024d\\n", $i);
            }
            return ['done' => true];
        }
    """,
}


@pytest.mark.parametrize("runtime", LOUD, indirect=True)
async def test_output_larger_than_a_pipe_is_all_logged_before_the_result(
    runtime, invoker, functions
):
    runtime.add(functions, "loud", LOUD[runtime.family])
    first = await run(invoker, "pkg/loud")
    second = await run(invoker, "pkg/loud")
    for activation in (first, second):
        assert activation.response.result == {"done": True}
        lines = messages_of(activation, "stdout")
        assert len(lines) == 4000
        assert lines[-1] == "line " + "3999".rjust(24, "0")


LOADING = {
    "python": """
        print("loading")
        def main():
            print("running")
            return {}
    """,
    "nodejs": """
        console.log('loading');
        function main() {
          console.log('running');
          return {};
        }
    """,
    "go": """
        package main

        import "fmt"

        func init() {
            fmt.Println("loading")
        }

        func Main(args map[string]interface{}) map[string]interface{} {
            fmt.Println("running")
            return map[string]interface{}{}
        }
    """,
    "php": """
        <?php
        echo "loading\\n";
        function main(array $event): array
        {
            echo "running\\n";
            return [];
        }
    """,
}


@pytest.mark.parametrize("runtime", LOADING, indirect=True)
async def test_output_printed_while_loading_goes_to_the_first_activation(
    runtime, invoker, functions
):
    runtime.add(functions, "loading", LOADING[runtime.family])
    first = await run(invoker, "pkg/loading")
    second = await run(invoker, "pkg/loading")
    assert messages_of(first) == ["stdout: loading", "stdout: running"]
    assert messages_of(second) == ["stdout: running"]
