"""Node.js functions run as DigitalOcean's Node runtime runs them, through the invoker."""

from __future__ import annotations

import json

import pytest

from emulator.invoker import messages
from emulator.invoker.invoker import Identity, Invoker
from emulator.invoker.launchers.node import NodeLauncher
from emulator.invoker.pool import WarmPool
from emulator.namespace.clock import IdFactory, SystemClock
from emulator.namespace.entities import Limits, Package, StatusCode, parameters_from
from tests.support.ci import require
from tests.support.invoking import RID, run
from tests.support.servers import process_alive

KINDS = ["nodejs:14", "nodejs:18", "nodejs:22", "nodejs:24"]


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


def messages_of(activation, stream=None):
    """The log lines without their timestamps: `stdout: text`, or only the text of `stream`."""
    lines = [line.split(" ", 1)[1].lstrip() for line in activation.logs]
    if stream is None:
        return lines
    prefix = f"{stream}: "
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


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


async def test_another_entry_point_name_is_used_when_configured(invoker, add):
    add("named", "function handler() {\n  return {called: 'handler'};\n}\n", main="handler")
    assert (await run(invoker, "pkg/named")).response.result == {"called": "handler"}


async def test_the_context_carries_every_field_of_the_activation(invoker, add):
    add(
        "context",
        """
        function main(args, context) {
          const remaining = context.getRemainingTimeInMillis();
          return {...context, remaining, deadlineType: typeof context.deadline};
        }
        """,
        limits=Limits(timeout=5000),
    )
    activation = await run(invoker, "pkg/context")
    result = activation.response.result
    assert result["functionName"] == "/fn-test/pkg/context"
    assert result["functionVersion"] == "0.0.1"
    assert result["activationId"] == activation.activation_id
    assert result["requestId"] == RID
    assert result["apiHost"] == "http://127.0.0.1:9"
    assert result["apiKey"] == ""  # only with the provide-api-key annotation
    assert result["namespace"] == "fn-test"
    assert result["deadlineType"] == "number"
    assert result["deadline"] > activation.start
    assert 0 < result["remaining"] <= 5000
    assert "getRemainingTimeInMillis" not in result  # a function: JSON leaves it out


async def test_the_api_key_reaches_the_context_when_the_function_asks(invoker, add):
    add(
        "keyed",
        "function main(args, context) {\n"
        "  return {key: context.apiKey, env: process.env.__OW_API_KEY};\n}\n",
        annotations={"provide-api-key": True},
    )
    result = (await run(invoker, "pkg/keyed")).response.result
    assert result == {"key": "uuid:key", "env": "uuid:key"}


async def test_the_environment_from_the_project_reaches_process_env(make_invoker, add, functions):
    invoker = make_invoker(environ={"PATH": "/usr/bin:/bin", "HOME": "/home/x", "SECRET": "s3"})
    add(
        "env",
        "function main() {\n  return {...process.env};\n}\n",
        environment={"GREETING": "Hello"},
    )
    functions.add_package(
        Package("fn-test", "pkg", parameters=parameters_from({}, {"FROM_PACKAGE": "p"}))
    )
    activation = await run(invoker, "pkg/env")
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


async def test_each_run_exports_its_own_fields_to_process_env(invoker, add):
    add("ids", "function main() {\n  return {id: process.env.__OW_ACTIVATION_ID};\n}\n")
    first = await run(invoker, "pkg/ids")
    second = await run(invoker, "pkg/ids")
    assert first.response.result == {"id": first.activation_id}
    assert second.response.result == {"id": second.activation_id}


async def test_bound_parameters_and_request_parameters_make_the_event(invoker, add):
    add(
        "params",
        "function main(args) {\n  return args;\n}\n",
        parameters={"fn": 1, "shared": "function"},
        annotations={"final": False},
    )
    result = (await run(invoker, "pkg/params", {"req": 1, "shared": "request"})).response.result
    assert result == {"fn": 1, "req": 1, "shared": "request"}


async def test_module_state_survives_between_warm_calls(invoker, add):
    add(
        "counter",
        """
        let calls = 0;
        function main() {
          calls += 1;
          return {calls, pid: process.pid};
        }
        """,
    )
    first = await run(invoker, "pkg/counter")
    second = await run(invoker, "pkg/counter")
    assert first.response.result["calls"] == 1
    assert second.response.result == {"calls": 2, "pid": first.response.result["pid"]}
    assert isinstance(init_time(first), int)
    assert init_time(second) is None


# ---------------------------------------------------------------- logs


async def test_console_output_is_logged_per_stream_in_order(invoker, add):
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


async def test_output_larger_than_a_pipe_is_all_logged_before_the_result(invoker, add):
    add(
        "loud",
        """
        function main() {
          for (let i = 0; i < 4000; i++) console.log('line ' + String(i).padStart(24, '0'));
          return {done: true};
        }
        """,
    )
    first = await run(invoker, "pkg/loud")
    second = await run(invoker, "pkg/loud")
    for activation in (first, second):
        lines = messages_of(activation, "stdout")
        assert len(lines) == 4000
        assert lines[-1] == "line " + "3999".rjust(24, "0")


async def test_output_printed_while_loading_goes_to_the_first_activation(invoker, add):
    add(
        "loading",
        """
        console.log('loading');
        function main() {
          console.log('running');
          return {};
        }
        """,
    )
    first = await run(invoker, "pkg/loading")
    second = await run(invoker, "pkg/loading")
    assert messages_of(first) == ["stdout: loading", "stdout: running"]
    assert messages_of(second) == ["stdout: running"]


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


async def test_a_result_with_error_is_an_application_error_and_stays_warm(invoker, add):
    add("oops", "function main() {\n  return {error: {statusCode: 404}};\n}\n")
    first = await run(invoker, "pkg/oops")
    assert first.response.status_code is StatusCode.APPLICATION_ERROR
    assert first.response.result == {"error": {"statusCode": 404}}
    assert init_time(await run(invoker, "pkg/oops")) is None


async def test_a_synchronous_throw_is_an_application_error_and_the_process_stays(invoker, add):
    add(
        "throws",
        """
        let calls = 0;
        function main() {
          calls += 1;
          if (calls === 1) throw new Error('bad input');
          return {calls};
        }
        """,
    )
    first = await run(invoker, "pkg/throws")
    assert first.response.status_code is StatusCode.APPLICATION_ERROR
    assert first.response.result == {"error": "bad input"}
    assert "Error: bad input" in messages_of(first, "stdout")
    second = await run(invoker, "pkg/throws")
    assert second.response.result == {"calls": 2}
    assert init_time(second) is None


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
        ("42", 'Result must be of type object but has type "number": 42'),
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


@pytest.mark.parametrize(
    "crash",
    [
        "process.exit(1)",
        "setImmediate(() => { throw new Error('async crash'); }); return new Promise(() => {})",
        "process.kill(process.pid, 'SIGSEGV')",
    ],
    ids=["exit", "uncaught", "signal"],
)
async def test_a_process_that_dies_is_a_developer_error_and_the_next_call_is_cold(
    invoker, add, crash
):
    add("dies", f"function main(args) {{\n  if (args.die) {{ {crash}; }}\n  return {{}};\n}}\n")
    activation = await run(invoker, "pkg/dies", {"die": True})
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.EXITED_DURING_RUN}
    assert messages_of(activation)[-1] == "stderr: " + messages.LOGS_MIGHT_BE_MISSING
    after = await run(invoker, "pkg/dies")
    assert after.response.success
    assert init_time(after) is not None


async def test_a_timeout_kills_the_process_and_its_children(invoker, add, tmp_path):
    marker = tmp_path / "child.pid"
    add(
        "hangs",
        f"""
        const {{spawn}} = require('child_process');
        const fs = require('fs');
        function main() {{
          const child = spawn('sleep', ['60']);
          fs.writeFileSync({json.dumps(str(marker))}, String(child.pid));
          return new Promise(() => {{}});
        }}
        """,
        limits=Limits(timeout=1000),
    )
    activation = await run(invoker, "pkg/hangs")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.timed_out(1000)}
    assert activation.annotations.get("timeout") is True
    assert not process_alive(int(marker.read_text()))


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("function handler() {\n  return {};\n}\n", "main"),
        ("const main = 5;\n", "main"),
        ("exports.main = 'not callable';\n", "main"),
    ],
)
async def test_a_missing_or_non_function_main_fails_to_initialise(invoker, add, code, name):
    add("nomain", code)
    activation = await run(invoker, "pkg/nomain")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert (
        f"Initialization has failed due to: Function entrypoint '{name}' is not a function."
        in messages_of(activation, "stderr")
    )


async def test_an_error_while_loading_fails_to_initialise_with_its_stack(invoker, add):
    add("broken", "require('no-such-module');\nfunction main() {\n  return {};\n}\n")
    activation = await run(invoker, "pkg/broken")
    assert activation.response.result == {"error": messages.INIT_FAILED}
    stderr = messages_of(activation, "stderr")
    assert (
        stderr[0] == "Initialization has failed due to: Error: Cannot find module 'no-such-module'"
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


async def test_a_directory_without_package_json_or_index_fails_to_initialise(invoker, add):
    add("empty", "", files={"other.js": "exports.main = () => ({});\n"})
    activation = await run(invoker, "pkg/empty")
    assert activation.response.result == {"error": messages.INIT_FAILED}
    assert messages_of(activation, "stderr")[0] == (
        "Initialization has failed due to: "
        "Zipped functions must contain either package.json or index.[m]js at the root."
    )


# ---------------------------------------------------------------- the toolchain


@pytest.mark.parametrize("kind", KINDS)
async def test_every_nodejs_kind_runs_under_the_local_node(invoker, add, node, kind):
    add("version", "function main() {\n  return {version: process.versions.node};\n}\n", kind=kind)
    activation = await run(invoker, "pkg/version")
    assert node.node is not None
    assert activation.response.result == {"version": node.node.version}
    assert node.describe(kind).startswith(f"{kind}: {node.node.path} {node.node.version}")


async def test_a_missing_node_program_is_reported_and_runs_nothing(registry, store, functions):
    launcher = NodeLauncher.discover("/nonexistent/node")
    problem = launcher.problem("nodejs:18")
    assert problem == (
        "The runtime 'nodejs:18' needs Node.js, but the node program '/nonexistent/node' was "
        "not found or did not run. Install Node.js (https://nodejs.org/) or point --node "
        "(FUNCTIONS_EMULATOR_NODE) at a node executable."
    )
    assert launcher.describe("nodejs:18") == (
        "nodejs:18: unavailable, node program '/nonexistent/node' not found"
    )
    invoker = Invoker(
        registry=registry,
        store=store,
        pool=WarmPool(SystemClock(), idle_seconds=600),
        launchers={"nodejs": launcher},
        identity=Identity("fn-test", "uuid:key", "f" * 40, "http://127.0.0.1:9"),
        host_environ={},
        clock=SystemClock(),
        ids=IdFactory(),
    )
    functions.add("hello", "function main() {}\n", kind="nodejs:18", filename="hello.js")
    activation = await run(invoker, "pkg/hello")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": problem}
    await invoker.close()
