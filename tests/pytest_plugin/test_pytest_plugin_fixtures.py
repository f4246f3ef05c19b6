"""A user's test suite, run with the plugin: the fixtures serve the project beside it."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.invoker.launchers.node import NodeLauncher
from tests.support.pytester_runs import QUICK

# A throwaway project: a priced function with bound values, one that raises, and one with
# scheduled triggers.
SHOP = {
    "project.yml": """
        packages:
          - name: shop
            functions:
              - name: price
                runtime: python:3.11
                parameters:
                  rate: 2
                environment:
                  CURRENCY: EUR
              - name: broken
                runtime: python:3.11
              - name: echo
                runtime: python:3.11
                triggers:
                  - name: every-five-minutes
                    type: SCHEDULED
                    scheduledDetails:
                      cron: "*/5 * * * *"
                      body: {source: cron}
                  - name: paused
                    type: SCHEDULED
                    enabled: false
                    scheduledDetails:
                      cron: "* * * * *"
                      body: {source: paused}
    """,
    "packages/shop/price.py": """
        import os


        def main(event):
            print(f"pricing {event['amount']}")
            return {"price": event["amount"] * event["rate"], "currency": os.environ["CURRENCY"]}
    """,
    "packages/shop/broken.py": """
        def main(event):
            print("about to fail: the stock service is down")
            raise RuntimeError("stock service unavailable")
    """,
    "packages/shop/echo.py": """
        def main(event):
            # Without what the platform adds to a web call's event.
            return {"event": {k: v for k, v in event.items() if k != "http" and k[:5] != "__ow_"}}
    """,
}


def test_a_users_tests_invoke_the_projects_functions_and_see_their_records(
    user_project: Any,
) -> None:
    user_project.write(SHOP)
    user_project.write(
        {
            "tests/test_shop.py": """
                import pytest

                from emulator.pytest_plugin.activation import FunctionsEmulatorError


                def test_price_is_computed_from_bound_values(functions_emulator):
                    activation = functions_emulator.invoke("shop/price", {"amount": 3})
                    assert activation.result == {"price": 6, "currency": "EUR"}
                    assert (activation.name, activation.status) == ("shop/price", "success")
                    assert activation.success and activation.cold
                    assert activation.logs[-1].endswith("stdout: pricing 3")
                    assert not functions_emulator.invoke("shop/price", {"amount": 1}).cold


                def test_an_asynchronous_invoke_is_found_by_its_id(functions_emulator):
                    activation_id = functions_emulator.invoke_async("shop/price", {"amount": 5})
                    assert functions_emulator.activation(activation_id).result["price"] == 10
                    newest = functions_emulator.activations("shop/price", limit=1)
                    assert [a.id for a in newest] == [activation_id]


                def test_a_raise_is_an_application_error(functions_emulator):
                    activation = functions_emulator.invoke("shop/broken", blocking=False)
                    assert (activation.success, activation.status) == (False, "application error")
                    assert activation.result == {"error": "stock service unavailable"}


                def test_refused_calls_raise_with_the_platforms_message(functions_emulator):
                    with pytest.raises(FunctionsEmulatorError) as missing:
                        functions_emulator.invoke("shop/nope")
                    assert missing.value.status == 404
                    with pytest.raises(FunctionsEmulatorError) as bound:
                        functions_emulator.invoke("shop/price", {"amount": 1, "rate": 0})
                    assert (bound.value.status, bound.value.error) == (
                        400,
                        "Request defines parameters that are not allowed"
                        " (e.g., reserved properties).",
                    )


                def test_web_calls_answer_over_http(functions_emulator):
                    response = functions_emulator.web("GET", "shop/echo.json", query={"q": "x"})
                    assert (response.status, response.json()) == (200, {"event": {"q": "x"}})
                    assert functions_emulator.activation(response.activation_id).success


                def test_comparing_a_failed_result(functions_emulator):
                    assert functions_emulator.invoke("shop/broken").result == {"stock": 3}


                def test_raise_for_status_of_a_failed_activation(functions_emulator):
                    functions_emulator.invoke("shop/broken").raise_for_status()
            """
        }
    )
    result = user_project.run_tests()
    result.assert_outcomes(passed=5, failed=2)
    # Each failure's message names the activation and shows its logs, with the printed line.
    result.stdout.fnmatch_lines(
        [
            "*_ test_comparing_a_failed_result _*",
            "E * activation * of shop/broken: application error",
            "E * stdout: about to fail: the stock service is down",
            "*_ test_raise_for_status_of_a_failed_activation _*",
            "E * activation * of shop/broken: application error",
            "E * stdout: about to fail: the stock service is down",
        ]
    )


def test_a_fresh_emulator_has_an_empty_database_and_the_session_one_keeps_records(
    user_project: Any,
) -> None:
    user_project.write(SHOP)
    user_project.write(
        {
            "tests/test_isolation.py": """
                def test_fresh_one(functions_emulator_fresh):
                    functions_emulator_fresh.invoke("shop/echo", {"n": 1})
                    results = [a.result for a in functions_emulator_fresh.activations()]
                    assert results == [{"event": {"n": 1}}]


                def test_fresh_two(functions_emulator_fresh):
                    assert functions_emulator_fresh.activations() == []
                    assert functions_emulator_fresh.invoke("shop/echo").cold


                def test_session_first(functions_emulator):
                    functions_emulator.invoke("shop/echo", {"n": "first"})


                def test_session_second(functions_emulator):
                    results = [a.result for a in functions_emulator.activations("shop/echo")]
                    assert results == [{"event": {"n": "first"}}]
            """
        }
    )
    user_project.run_tests().assert_outcomes(passed=4)


def test_moving_the_clock_fires_each_scheduled_time_once_and_triggers_fire_on_demand(
    user_project: Any,
) -> None:
    user_project.write(SHOP)
    user_project.write(
        {
            "tests/test_schedule.py": """
                from datetime import datetime

                import pytest


                def ms(text):
                    return int(datetime.fromisoformat(text).timestamp() * 1000)


                # A Monday, a minute and a half before nine (UTC).
                @pytest.mark.functions_emulator(clock="2026-03-02T08:58:30+00:00")
                def test_the_schedule(functions_emulator_fresh):
                    emulator = functions_emulator_fresh
                    fired = emulator.advance_clock(minutes=15)
                    # */5: three scheduled times in a quarter of an hour; `paused` is disabled.
                    assert [a.result for a in fired] == [{"event": {"source": "cron"}}] * 3
                    assert {a.annotations["trigger"] for a in fired} == {"every-five-minutes"}
                    assert {a.annotations["firing"] for a in fired} == {"scheduled"}
                    # Each ran at its time, the one before it having ended.
                    times = ["2026-03-02T09:00:00+00:00", "2026-03-02T09:05:00+00:00",
                             "2026-03-02T09:10:00+00:00"]
                    for activation, time in zip(fired, times):
                        assert 0 <= activation.record["start"] - ms(time) < 2_000
                    assert len(emulator.activations("shop/echo")) == 3

                    by_hand = emulator.fire_trigger("paused")
                    assert by_hand.result == {"event": {"source": "paused"}}
                    assert by_hand.annotations["firing"] == "on demand"
                    assert emulator.advance_clock(seconds=30) == []
            """
        }
    )
    user_project.run_tests().assert_outcomes(passed=1)


def test_a_marker_or_the_ini_option_chooses_the_project_its_functions_and_bound_values(
    user_project: Any,
) -> None:
    user_project.write({f"functions/{name}": text for name, text in SHOP.items()})
    user_project.write(
        {
            "tests/test_marked.py": """
                import pytest

                from emulator.pytest_plugin.activation import FunctionsEmulatorError

                pytestmark = pytest.mark.functions_emulator(
                    functions=["shop/price"],
                    parameters={"rate": 10},
                    environment={"CURRENCY": "USD"},
                )


                def test_only_the_chosen_function_is_there(functions_emulator):
                    priced = functions_emulator.invoke("shop/price", {"amount": 2})
                    assert priced.result == {"price": 20, "currency": "USD"}
                    with pytest.raises(FunctionsEmulatorError) as missing:
                        functions_emulator.invoke("shop/echo")
                    assert missing.value.status == 404


                @pytest.mark.functions_emulator(functions=["shop/nothing"])
                def test_a_name_no_function_has(functions_emulator):
                    pass


                async def test_the_async_flavour_has_the_same_calls(functions_emulator_async):
                    priced = await functions_emulator_async.invoke("shop/price", {"amount": 1})
                    assert priced.result == {"price": 10, "currency": "USD"}
                    activation_id = await functions_emulator_async.invoke_async(
                        "shop/price", {"amount": 4}
                    )
                    assert (await functions_emulator_async.activation(activation_id)).success
                    assert len(await functions_emulator_async.activations()) == 2
                    response = await functions_emulator_async.web("GET", "shop/echo")
                    assert response.status == 404
            """
        }
    )
    result = user_project.run_tests("--override-ini", "functions_emulator_project=functions")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*no function of the project matches shop/nothing; it has shop/broken, shop/echo, *"]
    )


@pytest.mark.parametrize(
    "turned_off",
    [
        ["-p", "no:functions_emulator"],
        ["--no-functions-emulator"],
        ["--override-ini", "functions_emulator=false"],
    ],
)
def test_the_plugin_can_be_turned_off(user_project: Any, turned_off: list[str]) -> None:
    user_project.write(SHOP)
    user_project.write(
        {
            "tests/test_off.py": """
                import pytest


                @pytest.mark.functions_emulator(functions=["shop/echo"])
                def test_a_marked_test_still_runs():
                    pass


                def test_uses_the_fixture(functions_emulator):
                    pass
            """
        }
    )
    result = user_project.run_tests(*turned_off)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*fixture 'functions_emulator' not found*"])


def test_the_plugin_loads_nothing_of_the_emulator_until_a_fixture_is_used(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_unused="""
            import sys


            def test_no_server_code_is_imported():
                assert "emulator.app" not in sys.modules
                assert "aiohttp" not in sys.modules
        """
    )
    # pytest-aiohttp imports aiohttp itself: without it, only this plugin could.
    result = pytester.runpytest_subprocess("-p", "no:aiohttp", *QUICK)
    result.assert_outcomes(passed=1)


def test_a_missing_toolchain_gets_the_servers_message_at_the_start_and_in_the_activation(
    user_project: Any,
) -> None:
    user_project.write(
        {
            "project.yml": """
                packages:
                  - name: shop
                    functions:
                      - name: greet
                        runtime: nodejs:18
            """,
            "packages/shop/greet.js": """
                function main() { return { body: "hi" } }
            """,
            "tests/test_node.py": """
                def test_the_node_function(functions_emulator):
                    activation = functions_emulator.invoke("shop/greet")
                    assert activation.status == "developer error"
                    print("error:", activation.result["error"])
            """,
        }
    )
    # What `functions-emulator serve --node /nonexistent/node` finds.
    missing = NodeLauncher.discover("/nonexistent/node")
    message = missing.problem("nodejs:18")
    assert message is not None
    result = user_project.run_tests("-s", toolchains={"nodejs": missing})
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "functions_emulator: cannot run here (*)",
            f"  {message}",
            "  affects: shop/greet",
            f"*error: {message}",
        ]
    )


@pytest.mark.parametrize(
    ("ini", "throttles"),
    [
        ((), "None, None"),
        (("--override-ini", "functions_emulator_throttle=true"), "600, 120"),
    ],
)
def test_the_platforms_throttles_are_off_unless_the_ini_option_keeps_them(
    user_project: Any, ini: tuple[str, ...], throttles: str
) -> None:
    user_project.write(SHOP)
    user_project.write(
        {
            "tests/test_limits.py": """
                import base64
                import json
                import urllib.request


                def test_the_limits_in_force(functions_emulator):
                    token = base64.b64encode(functions_emulator.auth.encode()).decode()
                    request = urllib.request.Request(
                        functions_emulator.url + "/api/v1/namespaces/_/limits",
                        headers={"Authorization": f"Basic {token}"},
                    )
                    with urllib.request.urlopen(request) as response:
                        limits = json.load(response)
                    per_minute = limits.get("invocationsPerMinute")
                    print(f"throttles: {per_minute}, {limits.get('concurrentInvocations')}")
            """
        }
    )
    result = user_project.run_tests("-s", *ini)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*throttles: {throttles}*"])
