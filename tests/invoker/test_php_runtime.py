"""PHP functions run in warm `php` processes as DigitalOcean's PHP runtime runs them."""

from __future__ import annotations

import asyncio
import textwrap
from typing import Any

import pytest

from emulator.invoker import messages
from emulator.invoker.invoker import Identity, Invoker
from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.php import PhpLauncher
from emulator.invoker.pool import WarmPool
from emulator.namespace.clock import IdFactory, SystemClock
from emulator.namespace.entities import (
    Action,
    Activation,
    Limits,
    Package,
    StatusCode,
    parameters_from,
)
from emulator.namespace.runtimes import KINDS
from tests.support.ci import require
from tests.support.invoking import RID, Functions, run
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


def log_texts(activation: Activation) -> list[str]:
    """The activation's log lines without their timestamps: `stdout: text`."""
    return [line[31:] for line in activation.logs]


async def test_main_with_one_parameter_gets_the_merged_parameters(invoker, functions, php):
    add_php(
        functions,
        "hello",
        """
        <?php
        function main(array $args): array
        {
            return ['greeting' => 'Hello ' . ($args['name'] ?? 'stranger') . '!', 'args' => $args];
        }
        """,
        parameters={"bound": 1},
        annotations={"final": False},
    )
    activation = await run(invoker, "pkg/hello", {"name": "Ada"})
    assert activation.response.status_code is StatusCode.SUCCESS
    assert activation.response.result == {
        "greeting": "Hello Ada!",
        "args": {"bound": 1, "name": "Ada"},
    }


async def test_main_with_a_context_sees_every_field_of_the_activation(invoker, functions, php):
    add_php(
        functions,
        "context",
        """
        <?php
        function main(array $event, $context): array
        {
            return [
                'class' => get_class($context),
                'name' => $context->functionName,
                'version' => $context->functionVersion,
                'activation' => $context->activationId,
                'request' => $context->requestId,
                'deadline' => $context->deadline,
                'host' => $context->apiHost,
                'key' => $context->apiKey,
                'namespace' => $context->namespace,
                'remaining' => $context->getRemainingTimeInMillis(),
            ];
        }
        """,
        limits=Limits(timeout=5000),
    )
    activation = await run(invoker, "pkg/context")
    result = activation.response.result
    assert result["class"] == "Context"
    assert result["name"] == "/fn-test/pkg/context"
    assert result["version"] == "0.0.1"
    assert result["activation"] == activation.activation_id
    assert result["request"] == RID
    assert result["host"] == "http://127.0.0.1:9"
    assert result["key"] == ""  # only with the provide-api-key annotation
    assert result["namespace"] == "fn-test"
    assert isinstance(result["deadline"], int) and result["deadline"] > activation.start
    assert 0 < result["remaining"] <= 5000


async def test_the_remaining_time_never_goes_below_zero(invoker, functions, php):
    add_php(
        functions,
        "late",
        """
        <?php
        function main(array $event, $context): array
        {
            $context->deadline = 0;
            return ['remaining' => $context->getRemainingTimeInMillis()];
        }
        """,
    )
    assert (await run(invoker, "pkg/late")).response.result == {"remaining": 0}


async def test_the_api_key_is_given_only_to_functions_that_ask(invoker, functions, php):
    add_php(
        functions,
        "keyed",
        """
        <?php
        function main(array $event, $context): array
        {
            return ['key' => $context->apiKey, 'env' => getenv('__OW_API_KEY')];
        }
        """,
        annotations={"provide-api-key": True},
    )
    result = (await run(invoker, "pkg/keyed")).response.result
    assert result == {"key": "uuid:key", "env": "uuid:key"}


async def test_the_environment_comes_from_the_project_and_the_activation(invoker, functions, php):
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
                'package' => getenv('FROM_PACKAGE'),
                'activation' => getenv('__OW_ACTIVATION_ID'),
                'activation_env' => $_ENV['__OW_ACTIVATION_ID'] ?? null,
                'deadline' => getenv('__OW_DEADLINE'),
                'host' => getenv('__OW_API_HOST'),
                'secret' => getenv('SECRET'),
            ];
        }
        """,
        environment={"GREETING": "Hello"},
    )
    functions.add_package(
        Package("fn-test", "pkg", parameters=parameters_from({}, {"FROM_PACKAGE": "p"}))
    )
    first = await run(invoker, "pkg/env")
    second = await run(invoker, "pkg/env")
    for activation in (first, second):
        result = activation.response.result
        assert result["getenv"] == result["env"] == "Hello"
        assert result["package"] == "p"
        assert result["activation"] == result["activation_env"] == activation.activation_id
        assert int(result["deadline"]) > activation.start
        assert result["host"] == "http://127.0.0.1:9"
        assert result["secret"] is False


async def test_a_warm_process_keeps_static_and_global_variables(invoker, functions, php):
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
    assert isinstance(first.annotations.get("initTime"), int)
    assert second.annotations.get("initTime") is None


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
        texts = log_texts(activation)
        stdout = [t for t in texts if t.startswith("stdout:")]
        stderr = [t for t in texts if t.startswith("stderr:")]
        # The sentinels start lines of their own, and add no empty ones.
        assert stdout == ["stdout: no newlineline", "stdout: last"]
        assert stderr == ["stderr: to stderr", "stderr: unfinished"]


async def test_a_timeout_kills_the_process(invoker, functions, php):
    add_php(
        functions,
        "slow",
        """
        <?php
        function main(array $event): array
        {
            echo "started\\n";
            sleep(30);
            return [];
        }
        """,
        limits=Limits(timeout=1000),
    )
    activation = await run(invoker, "pkg/slow")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.timed_out(1000)}
    assert activation.annotations.get("timeout") is True
    assert log_texts(activation)[0] == "stdout: started"


async def test_a_returned_error_is_an_application_error_and_keeps_the_process(
    invoker, functions, php
):
    add_php(
        functions,
        "refuse",
        """
        <?php
        function main(array $event): array
        {
            return ['error' => 'no name given', 'pid' => getmypid()];
        }
        """,
    )
    first = await run(invoker, "pkg/refuse")
    second = await run(invoker, "pkg/refuse")
    assert first.response.status_code is StatusCode.APPLICATION_ERROR
    assert first.response.result == {"error": "no name given"}
    assert second.annotations.get("initTime") is None


async def test_an_exception_is_logged_and_reported_in_digitaloceans_words(invoker, functions, php):
    add_php(
        functions,
        "throws",
        """
        <?php
        function main(array $event): array
        {
            if ($event['fail'] ?? false) {
                throw new RuntimeException('boom');
            }
            return ['pid' => getmypid()];
        }
        """,
    )
    failed = await run(invoker, "pkg/throws", {"fail": True})
    assert failed.response.status_code is StatusCode.APPLICATION_ERROR
    assert failed.response.result == RUN_FAILED
    assert "stderr: RuntimeException: boom in " in "\n".join(log_texts(failed))
    # The process survives a caught exception.
    after = await run(invoker, "pkg/throws")
    assert after.response.success and after.annotations.get("initTime") is None


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
    texts = log_texts(failed)
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


async def test_exit_is_a_process_that_died_without_a_result(invoker, functions, php):
    add_php(
        functions,
        "quits",
        """
        <?php
        function main(array $event): array
        {
            echo "leaving\\n";
            exit(1);
        }
        """,
    )
    activation = await run(invoker, "pkg/quits")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.EXITED_DURING_RUN}
    assert log_texts(activation) == [
        "stdout: leaving",
        f"stderr: {messages.LOGS_MIGHT_BE_MISSING}",
    ]


async def test_a_missing_main_fails_the_initialisation(invoker, functions, php):
    action = add_php(
        functions,
        "nomain",
        """
        <?php
        function handler(array $event): array
        {
            return [];
        }
        """,
    )
    activation = await run(invoker, "pkg/nomain")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert log_texts(activation)[0] == (
        f"stderr: Invalid function: {action.exec.source} does not define a function named 'main'."
    )


async def test_a_missing_file_fails_the_initialisation(invoker, functions, php):
    action = add_php(functions, "gone", "<?php\nfunction main(array $event) { return []; }\n")
    action.exec.source.unlink()
    activation = await run(invoker, "pkg/gone")
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert log_texts(activation)[0] == (
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
    assert log_texts(first) == log_texts(second) == ["stdout: kept in a buffer"]


async def test_the_configured_main_is_called(invoker, functions, php):
    add_php(
        functions,
        "custom",
        """
        <?php
        function handler(array $event): array
        {
            return ['called' => 'handler'];
        }
        """,
        main="handler",
    )
    assert (await run(invoker, "pkg/custom")).response.result == {"called": "handler"}


async def test_a_syntax_error_fails_the_initialisation(invoker, functions, php):
    add_php(functions, "broken", "<?php\nfunction main(array $event): array {\n")
    activation = await run(invoker, "pkg/broken")
    assert activation.response.result == {"error": messages.INIT_FAILED}
    first = log_texts(activation)[0]
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


async def test_a_directory_function_without_index_php_fails_the_initialisation(
    invoker, functions, php
):
    add_php(functions, "noindex", "", files={"main.php": "<?php function main() {}\n"})
    activation = await run(invoker, "pkg/noindex")
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert log_texts(activation)[0] == "stderr: Zip file does not include 'index.php'."


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


async def test_a_scalar_result_is_not_a_dictionary(invoker, functions, php):
    add_php(functions, "scalar", "<?php\nfunction main(array $event) { return 42; }\n")
    activation = await run(invoker, "pkg/scalar")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.NOT_A_DICTIONARY}
    texts = log_texts(activation)
    assert 'stderr: Result must be an array but has type "integer": 42' in texts
    assert "stdout: The function did not return a dictionary." in texts


async def test_a_string_result_is_not_valid_json(invoker, functions, php):
    add_php(functions, "text", '<?php\nfunction main(array $event) { return "hi\\nthere"; }\n')
    activation = await run(invoker, "pkg/text")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.invalid_json("hi there")}


@pytest.mark.parametrize("kind", [k.name for k in KINDS.values() if k.family == "php"])
async def test_every_php_kind_runs_under_the_local_php(invoker, functions, php, kind):
    add_php(
        functions,
        "version",
        "<?php\nfunction main(array $event): array { return ['version' => PHP_VERSION]; }\n",
        kind=kind,
    )
    activation = await run(invoker, "pkg/version")
    assert php.php is not None
    assert activation.response.result == {"version": php.php.version}
    assert php.describe(kind).startswith(f"{kind}: {php.php.path} {php.php.version}")


async def test_a_missing_php_program_is_a_developer_error_that_says_how_to_install_it(
    registry, store, functions
):
    launcher = PhpLauncher.discover("/nonexistent/php")
    problem = launcher.problem("php:8.2")
    assert problem is not None
    assert "'/nonexistent/php'" in problem and "php-cli" in problem and "--php" in problem
    assert "unavailable" in launcher.describe("php:8.2")
    invoker = Invoker(
        registry=registry,
        store=store,
        pool=WarmPool(SystemClock(), idle_seconds=600),
        launchers={"php": launcher},
        identity=Identity("fn-test", "uuid:key", "f" * 40, "http://127.0.0.1:9"),
        host_environ={},
        clock=SystemClock(),
        ids=IdFactory(),
    )
    add_php(functions, "hello", "<?php\nfunction main(array $event) { return []; }\n")
    activation = await run(invoker, "pkg/hello")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": problem}
    await invoker.close()
