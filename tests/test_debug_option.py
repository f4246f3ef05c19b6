"""`serve --debug [FUNCTION]`: alone every function, repeated only those; the variable too."""

from __future__ import annotations

import pytest

from emulator.cli.serve import debug_settings


@pytest.mark.parametrize(
    ("values", "settings"),
    [
        ((), (False, ())),  # no --debug
        (("*",), (True, ())),  # a bare --debug: every function
        (("1",), (True, ())),  # FUNCTIONS_EMULATOR_DEBUG=1
        (("0",), (False, ())),  # FUNCTIONS_EMULATOR_DEBUG=0
        (("false",), (False, ())),
        (("sample/hello", "/sample/hello-go/"), (True, ("sample/hello", "sample/hello-go"))),
        (("sample/hello", "*"), (True, ())),  # a bare one among names: every function
    ],
)
def test_debug_values_say_whether_and_which_functions_are_debugged(values, settings):
    assert debug_settings(values) == settings
