"""The sample project's greetings and directory functions, as a user tests them: one
emulator for the whole session, each call a real activation of the real function."""


def test_hello_greets_by_name(functions_emulator):
    activation = functions_emulator.invoke("sample/hello", {"name": "Ada"})
    assert activation.result == {"body": "Hello Ada!"}
    assert activation.logs[-1].endswith("stdout: greeted Ada")


def test_greet_keeps_its_process_warm_between_calls(functions_emulator):
    first = functions_emulator.invoke("sample/greet", {"name": "Ada"}).raise_for_status()
    second = functions_emulator.invoke("sample/greet", {"name": "Grace"}).raise_for_status()
    # GREETING comes from .env, the punctuation is a parameter bound in project.yml.
    assert second.result["body"] == "Hello, Grace!"
    assert second.result["calls"] == first.result["calls"] + 1
    assert not second.cold


def test_hello_node_greets_from_node(functions_emulator):
    activation = functions_emulator.invoke("sample/hello-node", {"name": "Ada"})
    assert activation.result["body"].startswith("Hello Ada, from Node.js v")
    assert activation.logs[-1].endswith(
        f"greeted Ada from /{functions_emulator.namespace}/sample/hello-node"
    )


def test_hello_go_greets_from_go(functions_emulator):
    activation = functions_emulator.invoke("sample/hello-go", {"name": "Ada"})
    assert activation.result["body"].startswith("Hello Ada, from Go go1.")


def test_hello_php_greets_from_php(functions_emulator):
    activation = functions_emulator.invoke("sample/hello-php", {"name": "Ada"})
    assert activation.result["body"].startswith("Hello Ada, from PHP 8.")


def test_duration_converts_with_its_npm_dependency(functions_emulator):
    activation = functions_emulator.invoke("sample/duration", {"text": "2 days"})
    assert activation.result == {"text": "2 days", "milliseconds": 172_800_000}


def test_jokes_tells_a_joke_from_its_virtualenv(functions_emulator):
    activation = functions_emulator.invoke("sample/jokes").raise_for_status()
    assert activation.result["body"]
    assert activation.logs[-1].endswith("told a joke")


def test_sleep_runs_asynchronously_and_is_recorded_when_it_ends(functions_emulator):
    activation_id = functions_emulator.invoke_async("sample/sleep", {"seconds": 0.2})
    activation = functions_emulator.activation(activation_id)
    assert (activation.status, activation.result) == ("success", {"slept": 0.2})
    assert activation.duration >= 200
    assert activation.id in [a.id for a in functions_emulator.activations("sample/sleep")]
