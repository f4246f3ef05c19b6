"""A directory function: a helper module, environment from project.yml, and the context."""

import os

from salutation import salute

calls = 0  # module globals live as long as the warm process


def main(event, context):
    global calls
    calls += 1
    text = salute(os.environ["GREETING"], event.get("name", "stranger"), event["punctuation"])
    print(f"{context.function_name} call {calls} in activation {context.activation_id}")
    return {"body": text, "calls": calls, "remaining_ms": context.get_remaining_time_in_millis()}
