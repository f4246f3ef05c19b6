"""PHP functions run in warm `php` processes as DigitalOcean's PHP runtime runs them.

What every runtime does alike (parameters, context, environment, logs, errors, crashes,
timeouts, the toolchain) is tested for PHP too in tests/invoker/contract/; here is what only
PHP does: $_ENV, static variables, echo without newlines, output buffers, fatal errors,
`vendor/autoload.php`, the shapes of PHP values.
"""

from __future__ import annotations

import asyncio
import textwrap
from typing import Any

import pytest

from emulator.invoker import messages
from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.php import PhpLauncher
from emulator.namespace.entities import Action, StatusCode
from tests.support.ci import require
from tests.support.invoking import Functions, messages_of, run
from tests.support.servers import process_alive

RUN_FAILED = {"error": "An error occurred running the function."}


@pytest.fixture
def php(launchers: dict[str, Launcher]) -> PhpLauncher:
    """The session's PHP launcher; without php the test is skipped, except in CI."""
    launcher = launchers["php"]
    assert isinstance(launcher, PhpLauncher)
    require(launcher.problem("php:8.2") is None, "php is not installed here")
    return launcher


def php_file(text: str) -> str:
    """PHP source written indented in a test: `<?php` must open the file."""
    return textwrap.dedent(text).lstrip()


def add_php(
    functions: Functions,
    name: str,
    code: str,
    *,
    files: dict[str, str] | None = None,
    **options: Any,
) -> Action:
    """A PHP function: a single `<name>.php`, or with `files` a directory with `index.php`."""
    return functions.add(
        name,
        php_file(code),
        kind=options.pop("kind", "php:8.2"),
        filename="index.php" if files is not None else f"{name}.php",
        files=files,
        **options,
    )


async def test_the_context_is_a_context_object_whose_remaining_time_never_goes_below_zero(
    invoker, functions, php
):
    add_php(
        functions,
        "late",
        """
        <?php
        function main(array $event, $context): array
        {
            $class = get_class($context);
            $context->deadline = 0;
            return ['class' => $class, 'remaining' => $context->getRemainingTimeInMillis()];
        }
        """,
    )
    result = (await run(invoker, "pkg/late")).response.result
    assert result == {"class": "Context", "remaining": 0}


async def test_env_holds_the_environment_as_getenv_does(invoker, functions, php):
    add_php(
        functions,
        "env",
        """
        <?php
        function main(array $event): array
        {
            return [
                'getenv' => getenv('GREETING'),
                'env' => $_ENV['GREETING'] ?? null,
                'activation' => getenv('__OW_ACTIVATION_ID'),
                'activation_env' => $_ENV['__OW_ACTIVATION_ID'] ?? null,
            ];
        }
        """,
        environment={"GREETING": "Hello"},
    )
    first = await run(invoker, "pkg/env")
    second = await run(invoker, "pkg/env")
    for activation in (first, second):
        result = activation.response.result
        assert result["getenv"] == result["env"] == "Hello"
        assert result["activation"] == result["activation_env"] == activation.activation_id


async def test_a_warm_process_keeps_static_variables_and_loads_the_file_once(
    invoker, functions, php
):
    add_php(
        functions,
        "counter",
        """
        <?php
        $loaded = 0;
        $loaded++;
        function main(array $event): array
        {
            global $loaded;
            static $calls = 0;
            $calls++;
            return ['calls' => $calls, 'loaded' => $loaded, 'pid' => getmypid()];
        }
        """,
    )
    first = await run(invoker, "pkg/counter")
    second = await run(invoker, "pkg/counter")
    assert first.response.result["calls"] == 1
    assert second.response.result == {
        "calls": 2,
        "loaded": 1,
        "pid": first.response.result["pid"],
    }


async def test_echo_print_and_error_log_become_the_activations_log_lines(invoker, functions, php):
    add_php(
        functions,
        "chatty",
        """
        <?php
        function main(array $event): array
        {
            echo "no newline";
            error_log("to stderr");
            print("line\\n");
            fwrite(STDERR, "unfinished");
            echo "last";
            return ['n' => $event['n']];
        }
        """,
    )
    first = await run(invoker, "pkg/chatty", {"n": 1})
    second = await run(invoker, "pkg/chatty", {"n": 2})
    for activation in (first, second):
        texts = messages_of(activation)
        stdout = [t for t in texts if t.startswith("stdout:")]
        stderr = [t for t in texts if t.startswith("stderr:")]
        # The sentinels start lines of their own, and add no empty ones.
        assert stdout == ["stdout: no newlineline", "stdout: last"]
        assert stderr == ["stderr: to stderr", "stderr: unfinished"]


async def test_a_fatal_error_is_reported_as_an_error_and_the_next_call_starts_afresh(
    invoker, functions, php
):
    add_php(
        functions,
        "fatal",
        """
        <?php
        function main(array $event): array
        {
            if ($event['fail'] ?? false) {
                echo getmypid(), "\\n";
                ini_set('memory_limit', '8M');
                $hog = str_repeat('x', 64 * 1024 * 1024);
            }
            return ['pid' => getmypid()];
        }
        """,
    )
    failed = await run(invoker, "pkg/fatal", {"fail": True})
    assert failed.response.status_code is StatusCode.APPLICATION_ERROR
    assert failed.response.result == RUN_FAILED
    texts = messages_of(failed)
    assert texts[0].startswith("stdout: ")
    assert any(t.startswith("stderr: PHP Fatal error:  Allowed memory size") for t in texts)
    assert texts[-1] == f"stderr: {RUN_FAILED['error']}"
    # The process ends with its fatal error, and the next activation is a cold one.
    pid = int(texts[0].removeprefix("stdout: "))
    async with asyncio.timeout(5):
        while process_alive(pid):
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # the emulator hears of the exit through its event loop
    after = await run(invoker, "pkg/fatal")
    assert after.response.success
    assert isinstance(after.annotations.get("initTime"), int)


async def test_a_missing_file_fails_the_initialisation(invoker, functions, php):
    action = add_php(functions, "gone", "<?php\nfunction main(array $event) { return []; }\n")
    action.exec.source.unlink()
    activation = await run(invoker, "pkg/gone")
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert messages_of(activation)[0] == (
        f"stderr: Invalid function: {action.exec.source} does not exist."
    )


async def test_output_left_in_a_buffer_is_flushed_before_the_result(invoker, functions, php):
    add_php(
        functions,
        "buffered",
        """
        <?php
        function main(array $event): array
        {
            ob_start();
            echo "kept in a buffer\\n";
            return [];
        }
        """,
    )
    first = await run(invoker, "pkg/buffered")
    second = await run(invoker, "pkg/buffered")
    assert messages_of(first) == messages_of(second) == ["stdout: kept in a buffer"]


async def test_a_syntax_error_fails_the_initialisation(invoker, functions, php):
    add_php(functions, "broken", "<?php\nfunction main(array $event): array {\n")
    activation = await run(invoker, "pkg/broken")
    assert activation.response.result == {"error": messages.INIT_FAILED}
    first = messages_of(activation)[0]
    assert first.startswith("stderr: Invalid function: ParseError: Unclosed '{' on line 2")
    assert first.endswith("broken.php:3")


async def test_a_directory_function_loads_its_autoloader_and_runs_in_its_directory(
    invoker, functions, php
):
    add_php(
        functions,
        "composed",
        """
        <?php
        function main(array $event): array
        {
            return [
                'greeting' => (new Acme\\Greeter())->greet($event['name']),
                'data' => trim(file_get_contents('data.txt')),
                'cwd' => getcwd(),
            ];
        }
        """,
        files={
            "vendor/autoload.php": php_file(
                """
                <?php
                spl_autoload_register(function (string $class): void {
                    $path = __DIR__ . '/../src/' . str_replace('\\\\', '/', $class) . '.php';
                    if (is_file($path)) {
                        require $path;
                    }
                });
            """
            ),
            "src/Acme/Greeter.php": php_file(
                """
                <?php
                namespace Acme;
                class Greeter
                {
                    public function greet(string $name): string
                    {
                        return "Hello $name!";
                    }
                }
            """
            ),
            "data.txt": "beside index.php\n",
        },
    )
    activation = await run(invoker, "pkg/composed", {"name": "Ada"})
    assert activation.response.result == {
        "greeting": "Hello Ada!",
        "data": "beside index.php",
        "cwd": str(functions.actions["pkg/composed"].exec.source),
    }


@pytest.mark.parametrize(
    ("returned", "result"),
    [
        ("null", {}),
        ("[]", {}),
        ("['a', 'b']", {"0": "a", "1": "b"}),
        ("(object) ['from' => 'stdClass']", {"from": "stdClass"}),
        ("new ArrayObject(['from' => 'ArrayObject'])", {"from": "ArrayObject"}),
    ],
)
async def test_results_are_read_as_digitalocean_reads_them(
    invoker, functions, php, returned, result
):
    add_php(functions, "shape", f"<?php\nfunction main(array $event) {{ return {returned}; }}\n")
    activation = await run(invoker, "pkg/shape")
    assert activation.response.status_code is StatusCode.SUCCESS
    assert activation.response.result == result


async def test_a_string_result_is_not_valid_json(invoker, functions, php):
    add_php(functions, "text", '<?php\nfunction main(array $event) { return "hi\\nthere"; }\n')
    activation = await run(invoker, "pkg/text")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.invalid_json("hi there")}
