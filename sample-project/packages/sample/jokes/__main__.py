"""A Python function whose dependency comes from the virtualenv its build.sh makes."""

import pyjokes


def main(event, context):
    joke = pyjokes.get_joke(category=event.get("category", "neutral"))
    print(f"{context.function_name} told a joke")
    return {"body": joke}
