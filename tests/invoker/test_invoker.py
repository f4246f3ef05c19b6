"""The invoker runs Python functions in warm subprocesses as the platform runs them.

What every runtime does alike (parameters, context, environment, logs, errors, crashes,
timeouts) is tested for Python too in tests/invoker/contract/; here is what the invoker does
whatever the language (final parameters, limits, records, recovery), shown with Python, and
what only Python does: main by its arity, falsy results, tracebacks, its kinds, virtualenvs.
"""

from __future__ import annotations

import asyncio
import sys

import pytest

from emulator.invoker import messages
from emulator.invoker.invoker import Identity, Invoker
from emulator.invoker.pool import WarmPool
from emulator.invoker.process import LaunchSpec
from emulator.namespace.clock import IdFactory, SystemClock
from emulator.namespace.entities import Limits, PendingActivation, StatusCode
from emulator.namespace.errors import ForbiddenParameters, NotFound, WrongCollection
from tests.support.invoking import RID, annotation, run


async def test_a_main_without_parameters_is_called_without_any(invoker, functions):
    functions.add("none", "def main():\n    return {'args': 0}\n")
    assert (await run(invoker, "pkg/none")).response.result == {"args": 0}


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


async def test_an_exception_logs_its_traceback_on_stderr_ending_with_the_exception(
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


@pytest.mark.parametrize("value", ["'text'", "[1, 2]", "True"])
async def test_a_non_dictionary_result_is_a_developer_error(invoker, functions, value):
    functions.add("scalar", f"def main():\n    return {value}\n")
    activation = await run(invoker, "pkg/scalar")
    assert activation.response.status_code is StatusCode.DEVELOPER_ERROR
    assert activation.response.result == {"error": "The function did not return a dictionary."}


async def test_a_result_json_cannot_encode_kills_the_process(invoker, functions):
    functions.add("unencodable", "def main():\n    return {'x': object()}\n")
    activation = await run(invoker, "pkg/unencodable")
    assert activation.response.result == {"error": messages.EXITED_DURING_RUN}


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
