"""The platform's activation error messages, in DigitalOcean's wording ("function", not
"action", as its runtimes and invoker say)."""

from __future__ import annotations

SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"


def timed_out(timeout_ms: int) -> str:
    return f"The function exceeded its time limits of {timeout_ms} milliseconds."


def init_timed_out(timeout_ms: int) -> str:
    return (
        f"The function exceeded its time limits of {timeout_ms} milliseconds during initialization."
    )


def invalid_json(raw: str) -> str:
    return f"The function did not produce a valid JSON response: {raw}"


def result_too_large(size: int, limit: int, prefix: str) -> str:
    return (
        f"The function produced a response that exceeded the allowed length: {size} > {limit} "
        f"bytes. The truncated response was: {prefix}"
    )


def logs_truncated(limit: int) -> str:
    return f"Logs were truncated because the total bytes size exceeds the limit of {limit} bytes."


def runtime_unavailable(kind: str) -> str:
    return f"The runtime '{kind}' is not available in this emulator."


EXITED_DURING_INIT = "The function did not initialize and exited unexpectedly."
EXITED_DURING_RUN = "The function did not produce a valid response and exited unexpectedly."
OUT_OF_MEMORY = "The function exhausted its memory and was aborted."
NOT_A_DICTIONARY = "The function did not return a dictionary."
INIT_FAILED = "The function did not initialize properly."
# A compiled runtime (Go) whose build failed: the compiler's output is in the logs.
NO_BINARY = "The function failed to generate or locate a binary. See logs for details."
LOGS_MIGHT_BE_MISSING = (
    "The function did not initialize or run as expected. Log data might be missing."
)
LOG_COLLECTION_ISSUE = "There was an issue while collecting your logs. Data might be missing."
EMULATOR_STOPPED = "The emulator stopped while the function was running, so it produced no result."
INTERNAL_ERROR = "There was an internal server error."


def too_many_processes(limit: int) -> str:
    # The emulator's own wording: the platform documents no per-function process limit.
    return f"The function exceeded the limit of {limit} processes and threads and was aborted."
