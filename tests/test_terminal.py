"""The terminal's live view: one line per activation, log lines prefixed, colour only on a TTY."""

from __future__ import annotations

import io
from datetime import datetime

from emulator.cli.terminal import TerminalPrinter
from emulator.namespace.entities import Activation, ActivationResponse, Annotations, StatusCode

END_MS = 1_700_000_000_250
ID = "0f3c" * 8


def finished(code: StatusCode = StatusCode.SUCCESS, *, cold: bool = False) -> Activation:
    annotations = [("path", "fn-x/sample/hello"), ("waitTime", 3)]
    if cold:
        annotations.append(("initTime", 40))
    return Activation(
        activation_id=ID,
        namespace="fn-x",
        name="hello",
        package="sample",
        version="0.0.1",
        subject="f" * 40,
        start=END_MS - 12,
        end=END_MS,
        response=ActivationResponse(code, {}),
        annotations=Annotations.of(annotations),
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_activation_is_one_line_with_time_path_status_duration_start_and_id():
    out = io.StringIO()
    TerminalPrinter(out).finished(finished(cold=True))
    time = datetime.fromtimestamp(END_MS / 1000).strftime("%H:%M:%S")
    assert out.getvalue() == f"{time} sample/hello success 12 ms cold {ID}\n"


def test_an_activation_in_a_warm_process_says_warm():
    out = io.StringIO()
    TerminalPrinter(out).finished(finished(StatusCode.APPLICATION_ERROR))
    assert f" sample/hello application error 12 ms warm {ID}\n" in out.getvalue()


def test_log_lines_are_prefixed_with_the_function_path():
    out = io.StringIO()
    printer = TerminalPrinter(out)
    printer.log_line("sample/hello", "stdout", "hello there")
    printer.log_line("sample/hello", "stderr", "oops")
    assert out.getvalue() == "sample/hello: hello there\nsample/hello: oops\n"


def test_a_notice_is_printed_with_the_function_path():
    out = io.StringIO()
    TerminalPrinter(out).notice("sample/hello-node", "debugger listening on 127.0.0.1:9229")
    assert out.getvalue() == "sample/hello-node: debugger listening on 127.0.0.1:9229\n"


def test_output_that_is_not_a_terminal_has_no_colour_codes():
    out = io.StringIO()
    printer = TerminalPrinter(out)
    printer.finished(finished(StatusCode.DEVELOPER_ERROR))
    printer.log_line("sample/hello", "stdout", "plain")
    assert "\033" not in out.getvalue()


def test_on_a_terminal_each_status_has_its_colour():
    out = Terminal()
    printer = TerminalPrinter(out)
    for code in StatusCode:
        printer.finished(finished(code))
    lines = out.getvalue().splitlines()
    assert "\033[32msuccess\033[0m" in lines[0]
    assert "\033[33mapplication error\033[0m" in lines[1]
    assert "\033[31maction developer error\033[0m" in lines[2]
    assert "\033[35mwhisk internal error\033[0m" in lines[3]


def test_on_a_terminal_the_log_prefix_is_dimmed():
    out = Terminal()
    TerminalPrinter(out).log_line("sample/hello", "stdout", "hi")
    assert out.getvalue() == "\033[2msample/hello:\033[0m hi\n"


def test_a_closed_stream_does_not_fail_the_report():
    out = io.StringIO()
    out.close()
    TerminalPrinter(out, colour=False).finished(finished())
