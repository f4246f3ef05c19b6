"""The invoker runs Python functions in warm subprocesses as the platform runs them."""

from __future__ import annotations

import asyncio
import sys

import pytest

from emulator.invoker import messages
from emulator.invoker.invoker import Identity, Invoker
from emulator.invoker.pool import WarmPool
from emulator.invoker.process import LaunchSpec
from emulator.namespace.clock import IdFactory, SystemClock
from emulator.namespace.entities import (
    Limits,
    Package,
    PendingActivation,
    StatusCode,
    parameters_from,
)
from emulator.namespace.errors import ForbiddenParameters, NotFound, WrongCollection
from tests.support.invoking import RID, annotation, run
from tests.support.servers import process_alive


async def test_a_result_is_returned_recorded_and_logged(invoker, functions, store):
    functions.add(
        "hello",
        """
        def main(args):
            print("greeted", args.get("name"))
            return {"body": "Hello " + args.get("name", "stranger") + "!"}
    """,
    )
    activation = await run(invoker, "pkg/hello", {"name": "Ada"})
    assert activation.response.status_code is StatusCode.SUCCESS
    assert activation.response.result == {"body": "Hello Ada!"}
    assert activation.response.size == len('{"body": "Hello Ada!"}')
    assert len(activation.logs) == 1
    assert activation.logs[0].endswith("Z stdout: greeted Ada")
    assert await store.get(activation.activation_id) == activation


async def test_a_warm_process_keeps_module_globals_and_skips_init(invoker, functions):
    functions.add(
        "counter",
        """
        import os
        calls = 0
        def main():
            global calls
            calls += 1
            return {"calls": calls, "pid": os.getpid()}
    """,
    )
    first = await run(invoker, "pkg/counter")
    second = await run(invoker, "pkg/counter")
    assert first.response.result["calls"] == 1
    assert second.response.result == {"calls": 2, "pid": first.response.result["pid"]}
    assert isinstance(annotation(first, "initTime"), int)
    assert annotation(second, "initTime") is None


async def test_concurrent_calls_each_get_their_own_process(invoker, functions):
    functions.add(
        "slow",
        """
        import os, time
        def main():
            time.sleep(0.5)
            return {"pid": os.getpid()}
    """,
    )
    a, b = await asyncio.gather(run(invoker, "pkg/slow"), run(invoker, "pkg/slow"))
    assert a.response.success and b.response.success
    assert a.response.result["pid"] != b.response.result["pid"]


async def test_main_is_called_by_its_arity_with_the_context(invoker, functions):
    functions.add("none", "def main():\n    return {'args': 0}\n")
    functions.add(
        "context",
        """
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
        limits=Limits(timeout=5000),
    )
    assert (await run(invoker, "pkg/none")).response.result == {"args": 0}
    activation = await run(invoker, "pkg/context")
    result = activation.response.result
    assert result["name"] == "/fn-test/pkg/context"
    assert result["version"] == "0.0.1"
    assert result["activation"] == activation.activation_id
    assert result["request"] == RID
    assert result["host"] == "http://127.0.0.1:9"
    assert result["key"] == ""  # only with the provide-api-key annotation
    assert result["namespace"] == "fn-test"
    assert 0 < result["remaining"] <= 5000
    assert result["deadline"] > activation.start


async def test_the_api_key_is_given_only_to_functions_that_ask(invoker, functions):
    functions.add(
        "keyed",
        """
        import os
        def main(event, context):
            return {"key": context.api_key, "env": os.environ["__OW_API_KEY"]}
    """,
        annotations={"provide-api-key": True},
    )
    result = (await run(invoker, "pkg/keyed")).response.result
    assert result == {"key": "uuid:key", "env": "uuid:key"}


async def test_a_function_sees_its_environment_and_nothing_of_the_emulators(
    make_invoker, functions
):
    invoker = make_invoker(environ={"PATH": "/usr/bin:/bin", "HOME": "/home/x", "SECRET": "s3"})
    functions.add(
        "env",
        """
        import os
        def main():
            # Python itself adds LC_CTYPE when no locale is set (PEP 538).
            ignored = {"PYTHONIOENCODING", "LC_CTYPE"}
            return {k: v for k, v in os.environ.items() if k not in ignored}
    """,
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
    assert (
        not set(env)
        - {"PATH", "HOME", "GREETING", "FROM_PACKAGE"}
        - {k for k in env if k.startswith("__OW_")}
    )


async def test_parameters_merge_package_then_function_then_request(invoker, functions):
    functions.add(
        "echo",
        "def main(args):\n    return args\n",
        parameters={"fn": 1, "shared": "function"},
        annotations={"final": False},
    )
    functions.add_package(
        Package("fn-test", "pkg", parameters=parameters_from({"pkg": 1, "shared": "package"}))
    )
    result = (await run(invoker, "pkg/echo", {"req": 1, "shared": "request"})).response.result
    assert result == {"pkg": 1, "fn": 1, "req": 1, "shared": "request"}


async def test_a_final_function_refuses_a_request_that_redefines_a_bound_parameter(
    invoker, functions
):
    functions.add("bound", "def main(args):\n    return args\n", parameters={"name": "x"})
    with pytest.raises(ForbiddenParameters) as raised:
        await invoker.invoke("pkg/bound", {"name": "y"}, request_id=RID)
    assert raised.value.status == 400
    assert raised.value.message == (
        "Request defines parameters that are not allowed (e.g., reserved properties)."
    )
    assert (await run(invoker, "pkg/bound", {"other": 1})).response.result == {
        "name": "x",
        "other": 1,
    }


async def test_a_caller_may_skip_the_final_check(invoker, functions):
    functions.add("bound", "def main(args):\n    return args\n", parameters={"name": "x"})
    invocation = await invoker.invoke("pkg/bound", {"name": "y"}, request_id=RID, check_final=False)
    assert (await invocation.done).response.result == {"name": "y"}


async def test_a_caller_may_add_annotations_to_the_record(invoker, functions, store):
    functions.add("plain", "def main():\n    return {}\n")
    invocation = await invoker.invoke("pkg/plain", {}, request_id=RID, annotations={"web": True})
    activation = await invocation.done
    assert activation.annotations.items[-1] == ("web", True)
    assert await store.get(activation.activation_id) == activation


async def test_waiting_on_an_invocation_gives_up_without_stopping_it(invoker, functions):
    functions.add("nap", "import time\ndef main():\n    time.sleep(0.5)\n    return {}\n")
    invocation = await invoker.invoke("pkg/nap", {}, request_id=RID)
    assert await invocation.wait(0.05) is None
    finished = await invocation.wait(10)
    assert finished is not None
    assert finished.response.status_code is StatusCode.SUCCESS


async def test_unknown_functions_and_package_names_are_refused(invoker, functions):
    functions.add("hello", "def main():\n    return {}\n")
    with pytest.raises(NotFound):
        await invoker.invoke("pkg/nope", {}, request_id=RID)
    with pytest.raises(WrongCollection):
        await invoker.invoke("pkg", {}, request_id=RID)


@pytest.mark.parametrize("value", ["None", "{}", "0", "''", "[]", "False"])
async def test_a_falsy_return_becomes_an_empty_result(invoker, functions, value):
    functions.add("falsy", f"def main():\n    return {value}\n")
    activation = await run(invoker, "pkg/falsy")
    assert activation.response.status_code is StatusCode.SUCCESS
    assert activation.response.result == {}


async def test_a_result_with_error_is_an_application_error_and_stays_warm(invoker, functions):
    functions.add(
        "oops",
        """
        import os
        def main():
            return {"error": {"statusCode": 404}, "pid": os.getpid()}
    """,
    )
    first = await run(invoker, "pkg/oops")
    assert first.response.status_code is StatusCode.APPLICATION_ERROR
    assert first.response.result == {"error": {"statusCode": 404}}
    second = await run(invoker, "pkg/oops")
    assert annotation(second, "initTime") is None


async def test_an_exception_is_an_application_error_with_the_traceback_in_the_logs(
    invoker, functions
):
    functions.add(
        "raises",
        """
        def main():
            raise ValueError("bad input")
    """,
    )
    activation = await run(invoker, "pkg/raises")
    assert activation.response.status_code is StatusCode.APPLICATION_ERROR
    assert activation.response.result == {"error": "bad input"}
    stderr = [line for line in activation.logs if " stderr: " in line]
    assert any("Traceback (most recent call last):" in line for line in stderr)
    assert stderr[-1].endswith("stderr: ValueError: bad input")


@pytest.mark.parametrize("value", ["'text'", "[1, 2]", "42", "True"])
async def test_a_non_dictionary_result_is_a_developer_error(invoker, functions, value):
    functions.add("scalar", f"def main():\n    return {value}\n")
    activation = await run(invoker, "pkg/scalar")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": "The function did not return a dictionary."}


@pytest.mark.parametrize(
    "body",
    ["sys.exit(3)", "os._exit(1)", "os.kill(os.getpid(), signal.SIGSEGV)"],
)
async def test_a_process_that_dies_is_a_developer_error_and_the_next_call_is_cold(
    invoker, functions, body
):
    functions.add(
        "dies",
        f"""
        import os, signal, sys
        def main(args):
            if args.get("die"):
                {body}
            return {{}}
    """,
    )
    activation = await run(invoker, "pkg/dies", {"die": True})
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.EXITED_DURING_RUN}
    assert activation.logs[-1].endswith("stderr: " + messages.LOGS_MIGHT_BE_MISSING)
    after = await run(invoker, "pkg/dies")
    assert after.response.success
    assert annotation(after, "initTime") is not None


async def test_a_result_json_cannot_encode_kills_the_process(invoker, functions):
    functions.add("unencodable", "def main():\n    return {'x': object()}\n")
    activation = await run(invoker, "pkg/unencodable")
    assert activation.response.result == {"error": messages.EXITED_DURING_RUN}


async def test_an_import_error_is_an_init_failure_with_the_cause_in_the_logs(invoker, functions):
    functions.add("broken", "import no_such_module\ndef main():\n    return {}\n")
    activation = await run(invoker, "pkg/broken")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": "The function did not initialize properly."}
    assert any(
        "stderr: Invalid function: No module named 'no_such_module'" in line
        for line in activation.logs
    )


async def test_a_missing_main_is_an_init_failure(invoker, functions):
    functions.add("nomain", "def handler():\n    return {}\n")
    activation = await run(invoker, "pkg/nomain")
    assert activation.response.result == {"error": "The function did not initialize properly."}
    assert any("has no attribute 'main'" in line for line in activation.logs)


async def test_output_printed_at_import_goes_to_the_first_activation(invoker, functions):
    functions.add(
        "chatty",
        """
        print("loading")
        def main():
            print("running")
            return {}
    """,
    )
    first = await run(invoker, "pkg/chatty")
    second = await run(invoker, "pkg/chatty")
    assert [line.split(" ", 1)[1] for line in first.logs] == ["stdout: loading", "stdout: running"]
    assert [line.split(" ", 1)[1] for line in second.logs] == ["stdout: running"]


async def test_a_directory_function_imports_its_own_modules(invoker, functions):
    functions.add(
        "dir",
        "from helper import shout\ndef main(args):\n    return {'body': shout(args['w'])}\n",
        files={"helper.py": "def shout(w):\n    return w.upper()\n"},
    )
    assert (await run(invoker, "pkg/dir", {"w": "hey"})).response.result == {"body": "HEY"}


async def test_a_directory_function_without_main_module_fails_to_initialise(invoker, functions):
    functions.add("nodir", "", files={"other.py": "x = 1\n"})
    activation = await run(invoker, "pkg/nodir")
    assert activation.response.result == {"error": "The function did not initialize properly."}
    assert any("Zip file does not include '__main__.py'." in line for line in activation.logs)


async def test_a_timeout_kills_the_process_and_its_children(invoker, functions, tmp_path):
    marker = tmp_path / "child.pid"
    functions.add(
        "hangs",
        f"""
        import subprocess, time
        def main():
            child = subprocess.Popen(["sleep", "60"])
            open({str(marker)!r}, "w").write(str(child.pid))
            time.sleep(60)
    """,
        limits=Limits(timeout=1000),
    )
    activation = await run(invoker, "pkg/hangs")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {
        "error": "The function exceeded its time limits of 1000 milliseconds."
    }
    assert annotation(activation, "timeout") is True
    child = int(marker.read_text())
    assert not process_alive(child)


async def test_memory_over_the_limit_is_aborted_with_the_platforms_message(invoker, functions):
    functions.add(
        "hog",
        """
        import time
        def main():
            block = bytearray(400 * 1024 * 1024)
            time.sleep(5)
            return {"size": len(block)}
    """,
        limits=Limits(timeout=20000, memory=128),
    )
    activation = await run(invoker, "pkg/hog")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {
        "error": "The function exhausted its memory and was aborted."
    }


async def test_logs_past_the_limit_are_truncated_with_the_platforms_message(invoker, functions):
    functions.add(
        "loud",
        """
        def main():
            for i in range(10000):
                print("x" * 99)
            return {"ok": True}
    """,
    )
    activation = await run(invoker, "pkg/loud")
    assert activation.response.success
    assert activation.logs[-1].endswith(
        "stderr: Logs were truncated because the total bytes size exceeds the limit of "
        "262144 bytes."
    )
    assert len(activation.logs) == 262144 // 100 + 1


async def test_a_result_over_one_megabyte_is_an_application_error(invoker, functions):
    functions.add("huge", "def main():\n    return {'data': 'x' * 2000000}\n")
    activation = await run(invoker, "pkg/huge")
    assert activation.response.status_code is StatusCode.APPLICATION_ERROR
    error = activation.response.result["error"]
    assert error.startswith(
        "The function produced a response that exceeded the allowed length: 2000012 > 1048576 "
        'bytes. The truncated response was: {"data": "xxx'
    )
    # The process stays usable afterwards.
    assert annotation(await run(invoker, "pkg/huge"), "initTime") is None


async def test_the_record_carries_the_platforms_annotations(invoker, functions):
    functions.add("plain", "def main():\n    return {}\n", limits=Limits(timeout=4000, memory=256))
    activation = await run(invoker, "pkg/plain")
    keys = [k for k, _ in activation.annotations.items]
    assert keys == ["limits", "path", "kind", "timeout", "initTime", "waitTime", "entry"]
    assert annotation(activation, "limits") == {
        "timeout": 4000,
        "memory": 256,
        "logs": 16,
        "concurrency": 1,
    }
    assert annotation(activation, "path") == "fn-test/pkg/plain"
    assert annotation(activation, "kind") == "python:3.11"
    assert annotation(activation, "timeout") is False
    assert annotation(activation, "entry") == "main"
    assert activation.end >= activation.start
    assert activation.subject == "f" * 40


async def test_interrupted_activations_are_recorded_as_failed_on_recovery(invoker, store):
    pending = PendingActivation("a" * 32, "fn-test", "gone", None, "0.0.1", "s", 1000)
    await store.begin(pending)
    assert await invoker.recover() == 1
    activation = await store.get("a" * 32)
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": messages.EMULATOR_STOPPED}
    assert await store.interrupted() == []


async def test_closing_the_invoker_records_running_activations_as_stopped(
    invoker, functions, store
):
    functions.add(
        "forever", "import time\ndef main():\n    time.sleep(60)\n", limits=Limits(timeout=60000)
    )
    invocation = await invoker.invoke("pkg/forever", {}, request_id=RID)
    await asyncio.sleep(0.5)
    await invoker.close()
    activation = await store.get(invocation.activation_id)
    assert activation.response.result == {"error": messages.EMULATOR_STOPPED}
    assert await store.interrupted() == []


@pytest.mark.parametrize("kind", ["python:3.9", "python:3.11", "python:3.12", "python:3.13"])
async def test_each_python_kind_runs_under_its_own_interpreter_when_installed(
    invoker, functions, python_launcher, kind
):
    functions.add(
        "version",
        """
        import sys
        def main():
            return {"version": "%d.%d" % sys.version_info[:2]}
    """,
        kind=kind,
    )
    expected = python_launcher.interpreter(kind).version.rsplit(".", 1)[0]
    activation = await run(invoker, "pkg/version")
    assert activation.response.result == {"version": expected}
    if python_launcher.is_exact(kind):
        assert expected == kind.partition(":")[2]
    else:
        # No python3.X here: the emulator's own interpreter stands in, and the banner says so.
        assert python_launcher.interpreter(kind).path == sys.executable
        assert f"(no python{kind.partition(':')[2]} found)" in python_launcher.describe(kind)


class MissingInterpreter:
    """A launcher whose program does not exist on this machine."""

    def spec(self, action, env):
        return LaunchSpec(("/nonexistent/python3",), action.exec.source.parent, env)

    def describe(self, kind):
        return f"{kind}: missing"

    def problem(self, kind):
        return None  # it looks runnable: the failure comes when the process starts

    async def warm_up(self, actions):
        return None

    def prelaunch(self, kind, env):
        return None


async def test_a_process_that_cannot_start_is_an_internal_error_and_is_recorded(
    registry, store, functions
):
    invoker = Invoker(
        registry=registry,
        store=store,
        pool=WarmPool(SystemClock(), idle_seconds=600),
        launchers={"python": MissingInterpreter()},
        identity=Identity("fn-test", "uuid:key", "f" * 40, "http://127.0.0.1:9"),
        host_environ={},
        clock=SystemClock(),
        ids=IdFactory(),
    )
    functions.add("hello", "def main():\n    return {}\n")
    activation = await run(invoker, "pkg/hello")
    assert activation.response.status_code is StatusCode.INTERNAL_ERROR
    assert activation.response.result == {"error": "There was an internal server error."}
    assert await store.get(activation.activation_id) == activation
    assert invoker.running == 0


async def test_a_kind_without_a_launcher_is_a_developer_error(make_invoker, functions, store):
    invoker = make_invoker(families={})
    functions.add("js", "", kind="nodejs:18")
    activation = await run(invoker, "pkg/js")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {
        "error": "The runtime 'nodejs:18' is not available in this emulator."
    }


async def test_a_virtualenv_without_activate_this_is_refused_as_on_the_platform(invoker, functions):
    functions.add(
        "venv",
        "def main():\n    return {}\n",
        files={"virtualenv/lib/python3.11/site-packages/placeholder.txt": ""},
    )
    activation = await run(invoker, "pkg/venv")
    assert activation.response.result == {"error": "The function did not initialize properly."}
    assert any(
        line.endswith("stderr: Invalid virtualenv. Zip file does not include 'activate_this.py'.")
        for line in activation.logs
    )


async def test_a_virtualenv_is_activated_through_its_activate_this(invoker, functions):
    functions.add(
        "venv",
        "import vendored\ndef main():\n    return {'from': vendored.WHERE}\n",
        files={
            "virtualenv/bin/activate_this.py": (
                "import os, site\n"
                "base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n"
                "site.addsitedir(os.path.join(base, 'lib', 'site-packages'))\n"
            ),
            "virtualenv/lib/site-packages/vendored.py": "WHERE = 'virtualenv'\n",
        },
    )
    activation = await run(invoker, "pkg/venv")
    assert activation.response.result == {"from": "virtualenv"}


async def test_a_virtualenv_made_for_another_python_version_still_provides_its_packages(
    invoker, functions
):
    functions.add(
        "venv39",
        "import vendored\ndef main():\n    return {'from': vendored.WHERE}\n",
        files={
            "virtualenv/bin/activate_this.py": "",
            "virtualenv/lib/python3.9/site-packages/vendored.py": "WHERE = 'python3.9 folder'\n",
        },
    )
    activation = await run(invoker, "pkg/venv39")
    assert activation.response.result == {"from": "python3.9 folder"}
