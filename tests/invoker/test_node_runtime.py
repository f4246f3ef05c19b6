"""Node.js functions run as DigitalOcean's Node runtime runs them, through the invoker.

What every runtime does alike (parameters, context, environment, logs, errors, crashes,
timeouts, the toolchain) is tested for Node.js too in tests/invoker/contract/; here is what
only Node.js does: how main is found, promises and rejections, ES modules, package.json.
"""

from __future__ import annotations

import json

import pytest

from emulator.invoker import messages
from emulator.invoker.launchers.node import NodeLauncher
from emulator.namespace.entities import StatusCode
from tests.support.ci import require
from tests.support.invoking import messages_of, run


@pytest.fixture
def node(launchers):
    """The session's Node launcher; without a node, skipped on a laptop and failed in CI."""
    launcher = launchers["nodejs"]
    assert isinstance(launcher, NodeLauncher)
    problem = launcher.problem("nodejs:18")
    require(problem is None, str(problem))
    return launcher


@pytest.fixture
def add(functions, node):
    """Deploy a Node function: a single `<name>.js` file, or a directory with `files`."""

    def add(name, code, *, filename=None, files=None, kind="nodejs:18", **options):
        if files is not None:
            return functions.add(name, "", files=files, kind=kind, **options)
        return functions.add(name, code, filename=filename or f"{name}.js", kind=kind, **options)

    return add


def init_time(activation):
    return activation.annotations.get("initTime")


# ---------------------------------------------------------------- finding main


@pytest.mark.parametrize(
    "code",
    [
        "function main(args) {\n  return {body: 'hi ' + args.name};\n}\n",
        "exports.main = (args) => ({body: 'hi ' + args.name});\n",
        "module.exports.main = function (args) { return {body: 'hi ' + args.name}; };\n",
        "'use strict';\nconst main = (args) => ({body: 'hi ' + args.name});\n",
        "module.exports = {main: (args) => ({body: 'hi ' + args.name})};\n",
    ],
    ids=["function", "exports", "module.exports", "const", "module.exports object"],
)
async def test_main_is_found_however_a_script_defines_it(invoker, add, code):
    add("hello", code)
    activation = await run(invoker, "pkg/hello", {"name": "Ada"})
    assert activation.response.result == {"body": "hi Ada"}


async def test_a_main_taking_only_args_ignores_the_context(invoker, add):
    add("echo", "function main(args) {\n  return {args, count: arguments.length};\n}\n")
    activation = await run(invoker, "pkg/echo", {"a": 1})
    # Called with (args, context) all the same, as the platform always does.
    assert activation.response.result == {"args": {"a": 1}, "count": 2}


async def test_the_context_spreads_into_its_fields_and_json_leaves_its_method_out(invoker, add):
    add(
        "context",
        """
        function main(args, context) {
          return {...context, deadlineType: typeof context.deadline};
        }
        """,
    )
    result = (await run(invoker, "pkg/context")).response.result
    assert set(result) == {
        "functionName",
        "functionVersion",
        "activationId",
        "requestId",
        "deadline",
        "apiHost",
        "apiKey",
        "namespace",
        "deadlineType",
    }
    assert result["deadlineType"] == "number"


# ---------------------------------------------------------------- logs


async def test_console_output_is_formatted_as_node_does_and_logged_in_order(invoker, add):
    add(
        "chatty",
        """
        function main() {
          console.log('to stdout');
          console.error('to stderr');
          console.log('again', {n: 1});
          return {};
        }
        """,
    )
    activation = await run(invoker, "pkg/chatty")
    assert messages_of(activation) == [
        "stdout: to stdout",
        "stderr: to stderr",
        "stdout: again { n: 1 }",
    ]


# ---------------------------------------------------------------- results


async def test_an_async_function_returns_its_awaited_value(invoker, add):
    add(
        "later",
        """
        const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
        async function main(args) {
          await sleep(50);
          return {body: args.n * 2};
        }
        """,
    )
    assert (await run(invoker, "pkg/later", {"n": 21})).response.result == {"body": 42}


@pytest.mark.parametrize(
    "body", ["return;", "return undefined;", "return Promise.resolve();", "/* nothing */"]
)
async def test_undefined_becomes_an_empty_result(invoker, add, body):
    add("nothing", f"function main() {{\n  {body}\n}}\n")
    activation = await run(invoker, "pkg/nothing")
    assert activation.response.status_code is StatusCode.SUCCESS
    assert activation.response.result == {}


async def test_a_rejected_error_is_serialized_with_its_own_properties(invoker, add):
    add(
        "rejects",
        """
        async function main() {
          const error = new TypeError('no such thing');
          error.code = 'E_MISSING';
          error.details = {id: 7};
          throw error;
        }
        """,
    )
    activation = await run(invoker, "pkg/rejects")
    assert activation.response.status_code is StatusCode.APPLICATION_ERROR
    error = activation.response.result["error"]
    assert error["name"] == "TypeError"
    assert error["message"] == "no such thing"
    assert error["code"] == "E_MISSING"
    assert error["details"] == {"id": 7}
    assert error["stack"].startswith("TypeError: no such thing\n    at main (")


@pytest.mark.parametrize(
    ("rejection", "error"),
    [
        ("Promise.reject({statusCode: 400, body: 'bad'})", {"statusCode": 400, "body": "bad"}),
        ("Promise.reject('plain text')", "plain text"),
        ("Promise.reject()", {}),
        ("new Promise((resolve, reject) => reject())", {}),
    ],
)
async def test_a_rejected_value_is_passed_through_as_the_error(invoker, add, rejection, error):
    add("rejects", f"function main() {{\n  return {rejection};\n}}\n")
    activation = await run(invoker, "pkg/rejects")
    assert activation.response.status_code is StatusCode.APPLICATION_ERROR
    assert activation.response.result == {"error": error}


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("'text'", 'Result must be of type object but has type "string": text'),
        ("true", 'Result must be of type object but has type "boolean": true'),
        ("[1, 2]", None),
        ("null", None),
    ],
)
async def test_a_result_that_is_not_an_object_is_a_developer_error(invoker, add, value, complaint):
    add("scalar", f"function main() {{\n  return {value};\n}}\n")
    activation = await run(invoker, "pkg/scalar")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.NOT_A_DICTIONARY}
    if complaint is not None:
        assert complaint in messages_of(activation, "stderr")


# ---------------------------------------------------------------- failures


async def test_an_uncaught_asynchronous_error_kills_the_process_and_the_next_call_is_cold(
    invoker, add
):
    add(
        "dies",
        """
        function main(args) {
          if (args.die) {
            setImmediate(() => { throw new Error('async crash'); });
            return new Promise(() => {});
          }
          return {};
        }
        """,
    )
    activation = await run(invoker, "pkg/dies", {"die": True})
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.EXITED_DURING_RUN}
    assert messages_of(activation)[-1] == "stderr: " + messages.LOGS_MIGHT_BE_MISSING
    after = await run(invoker, "pkg/dies")
    assert after.response.success
    assert init_time(after) is not None


@pytest.mark.parametrize("code", ["const main = 5;\n", "exports.main = 'not callable';\n"])
async def test_a_main_that_is_not_a_function_fails_to_initialise(invoker, add, code):
    add("nomain", code)
    activation = await run(invoker, "pkg/nomain")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert (
        "Initialization has failed due to: Function entrypoint 'main' is not a function."
        in messages_of(activation, "stderr")
    )


# ---------------------------------------------------------------- modules and directories


async def test_an_mjs_file_is_imported_as_an_es_module(invoker, add):
    add(
        "esm",
        """
        import {basename} from 'node:path';
        export async function main(args) {
          return {file: basename(import.meta.url), name: args.name};
        }
        """,
        filename="esm.mjs",
    )
    activation = await run(invoker, "pkg/esm", {"name": "Ada"})
    assert activation.response.result == {"file": "esm.mjs", "name": "Ada"}


async def test_es_module_syntax_in_a_js_file_is_imported_too(invoker, add):
    add("esmjs", "export function main() {\n  return {module: typeof require};\n}\n")
    activation = await run(invoker, "pkg/esmjs")
    assert activation.response.result == {"module": "undefined"}


async def test_a_directory_function_of_type_module_is_imported(invoker, add):
    add(
        "esmdir",
        "",
        files={
            "package.json": json.dumps({"type": "module", "main": "handler.js"}),
            "handler.js": (
                "import {shout} from './helper.js';\n"
                "export function main(args) {\n  return {body: shout(args.w)};\n}\n"
            ),
            "helper.js": "export const shout = (w) => w.toUpperCase() + '!';\n",
        },
    )
    assert (await run(invoker, "pkg/esmdir", {"w": "hey"})).response.result == {"body": "HEY!"}


async def test_a_directory_function_requires_its_modules_and_node_modules(invoker, add):
    add(
        "dir",
        "",
        files={
            "package.json": json.dumps({"name": "dir", "main": "lib/handler.js"}),
            "lib/handler.js": """
                const {shout} = require('./helper');
                const pad = require('left-pad');
                const fs = require('fs');
                exports.main = (args) => ({
                  body: pad(shout(args.w), 6),
                  cwdHasPackage: fs.existsSync('package.json'),
                });
            """,
            "lib/helper.js": "exports.shout = (w) => w.toUpperCase();\n",
            "node_modules/left-pad/package.json": json.dumps({"name": "left-pad"}),
            "node_modules/left-pad/index.js": (
                "module.exports = (s, n) => ' '.repeat(Math.max(n - s.length, 0)) + s;\n"
            ),
        },
    )
    activation = await run(invoker, "pkg/dir", {"w": "hey"})
    assert activation.response.result == {"body": "   HEY", "cwdHasPackage": True}


async def test_a_directory_main_of_the_form_file_func_picks_the_file(invoker, add):
    add(
        "picked",
        "",
        files={
            "index.js": "exports.main = () => ({from: 'index'});\n",
            "greeter.js": (
                "const helper = require('./helper');\n"
                "exports.greet = () => ({from: helper.name});\n"
            ),
            "helper.js": "exports.name = 'greeter via helper';\n",
        },
        main="greeter.greet",
    )
    activation = await run(invoker, "pkg/picked")
    assert activation.response.result == {"from": "greeter via helper"}


async def test_a_directory_falls_back_to_index_js(invoker, add):
    add("indexed", "", files={"index.js": "exports.main = () => ({from: 'index.js'});\n"})
    assert (await run(invoker, "pkg/indexed")).response.result == {"from": "index.js"}
