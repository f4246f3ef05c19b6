"""What every runtime tells a function of its activation: the context argument, the API key,
and the environment (the project's variables and the `__OW_*` ones), as the platform does."""

from __future__ import annotations

import pytest

from emulator.namespace.entities import Package, parameters_from
from tests.support.invoking import RID, run

# Each field of the context, under the same names in every language.
CONTEXT = {
    "python": """
        def main(event, context):
            return {
                "name": context.function_name,
                "version": context.function_version,
                "activation": context.activation_id,
                "request": context.request_id,
                "host": context.api_host,
                "key": context.api_key,
                "namespace": context.namespace,
                "deadline": context.deadline,
                "remaining": context.get_remaining_time_in_millis(),
            }
    """,
    "nodejs": """
        function main(args, context) {
          return {
            name: context.functionName,
            version: context.functionVersion,
            activation: context.activationId,
            request: context.requestId,
            host: context.apiHost,
            key: context.apiKey,
            namespace: context.namespace,
            deadline: context.deadline,
            remaining: context.getRemainingTimeInMillis(),
          };
        }
    """,
    "go": """
        package main

        import (
            "context"
            "time"
        )

        var fields = map[string]string{
            "name": "function_name", "version": "function_version",
            "activation": "activation_id", "request": "request_id",
            "host": "api_host", "key": "api_key", "namespace": "namespace",
        }

        func Main(ctx context.Context, args map[string]interface{}) map[string]interface{} {
            result := map[string]interface{}{}
            for name, key := range fields {
                result[name] = ctx.Value(key)
            }
            deadline, _ := ctx.Deadline()
            result["deadline"] = deadline.UnixMilli()
            result["remaining"] = time.Until(deadline).Milliseconds()
            return result
        }
    """,
    "php": """
        <?php
        function main(array $event, $context): array
        {
            return [
                'name' => $context->functionName,
                'version' => $context->functionVersion,
                'activation' => $context->activationId,
                'request' => $context->requestId,
                'host' => $context->apiHost,
                'key' => $context->apiKey,
                'namespace' => $context->namespace,
                'deadline' => $context->deadline,
                'remaining' => $context->getRemainingTimeInMillis(),
            ];
        }
    """,
}


@pytest.mark.parametrize("runtime", CONTEXT, indirect=True)
async def test_the_context_carries_every_field_of_the_activation(runtime, invoker, functions):
    limits = runtime.limits(timeout=5000)
    runtime.add(functions, "context", CONTEXT[runtime.family], limits=limits)
    activation = await run(invoker, "pkg/context")
    result = activation.response.result
    assert result["name"] == "/fn-test/pkg/context"
    assert result["version"] == "0.0.1"
    assert result["activation"] == activation.activation_id
    assert result["request"] == RID
    assert result["host"] == "http://127.0.0.1:9"
    assert result["key"] == ""  # only with the provide-api-key annotation
    assert result["namespace"] == "fn-test"
    assert isinstance(result["deadline"], int) and result["deadline"] > activation.start
    assert 0 < result["remaining"] <= limits.timeout


API_KEY = {
    "python": """
        import os
        def main(event, context):
            return {"key": context.api_key, "env": os.environ["__OW_API_KEY"]}
    """,
    "nodejs": """
        function main(args, context) {
          return {key: context.apiKey, env: process.env.__OW_API_KEY};
        }
    """,
    "go": """
        package main

        import (
            "context"
            "os"
        )

        func Main(ctx context.Context, args map[string]interface{}) map[string]interface{} {
            return map[string]interface{}{
                "key": ctx.Value("api_key"),
                "env": os.Getenv("__OW_API_KEY"),
            }
        }
    """,
    "php": """
        <?php
        function main(array $event, $context): array
        {
            return ['key' => $context->apiKey, 'env' => getenv('__OW_API_KEY')];
        }
    """,
}


@pytest.mark.parametrize("runtime", API_KEY, indirect=True)
async def test_the_api_key_is_given_to_functions_that_ask(runtime, invoker, functions):
    runtime.add(functions, "keyed", API_KEY[runtime.family], annotations={"provide-api-key": True})
    result = (await run(invoker, "pkg/keyed")).response.result
    assert result == {"key": "uuid:key", "env": "uuid:key"}


# The whole environment of the process.
ENVIRONMENT = {
    "python": """
        import os
        def main():
            # Python itself adds LC_CTYPE when no locale is set (PEP 538).
            ignored = {"PYTHONIOENCODING", "LC_CTYPE"}
            return {k: v for k, v in os.environ.items() if k not in ignored}
    """,
    "nodejs": "function main() {\n  return {...process.env};\n}\n",
    "go": """
        package main

        import (
            "os"
            "strings"
        )

        func Main(args map[string]interface{}) map[string]interface{} {
            env := map[string]interface{}{}
            for _, entry := range os.Environ() {
                name, value, _ := strings.Cut(entry, "=")
                env[name] = value
            }
            return env
        }
    """,
    "php": "<?php\nfunction main(array $event): array { return getenv(); }\n",
}


HOST = {"PATH": "/usr/bin:/bin", "HOME": "/home/x", "SECRET": "s3"}


@pytest.mark.parametrize("runtime", ENVIRONMENT, indirect=True)
async def test_a_function_sees_the_projects_environment_and_its_activations_fields(
    runtime, make_invoker, functions
):
    invoker = make_invoker(environ=HOST)
    runtime.add(functions, "env", ENVIRONMENT[runtime.family], environment={"GREETING": "Hello"})
    functions.add_package(
        Package("fn-test", "pkg", parameters=parameters_from({}, {"FROM_PACKAGE": "p"}))
    )
    # Twice: each run exports its own activation's fields.
    for activation in [await run(invoker, "pkg/env"), await run(invoker, "pkg/env")]:
        env = activation.response.result
        assert env["GREETING"] == "Hello"
        assert env["FROM_PACKAGE"] == "p"
        assert env["PATH"] == "/usr/bin:/bin" and env["HOME"] == "/home/x"
        assert "SECRET" not in env
        assert env["__OW_ACTIVATION_ID"] == activation.activation_id
        assert env["__OW_ACTION_NAME"] == "/fn-test/pkg/env"
        assert env["__OW_NAMESPACE"] == "fn-test"
        assert env["__OW_API_HOST"] == "http://127.0.0.1:9"
        assert env["__OW_TRANSACTION_ID"] == RID
        assert int(env["__OW_DEADLINE"]) > activation.start


@pytest.mark.parametrize(
    "runtime",
    [
        "python",
        "nodejs",
        "go",
        "php",
    ],
    indirect=True,
)
async def test_a_function_sees_nothing_of_the_emulators_environment(
    runtime, make_invoker, functions
):
    invoker = make_invoker(environ=HOST)
    runtime.add(functions, "env", ENVIRONMENT[runtime.family], environment={"GREETING": "Hello"})
    env = (await run(invoker, "pkg/env")).response.result
    assert not set(env) - {"PATH", "HOME", "GREETING"} - {k for k in env if k.startswith("__OW_")}
