"""`--functions-emulator-cov`: the lines of the project's functions that ran in their own
processes during the session.

Python functions are measured with coverage.py inside their processes. With pytest-cov, the
data files are written beside its own and combined into its report; without it, they are
combined here and reported at the end of the session. Node.js functions are measured by V8
(NODE_V8_COVERAGE), summarised per file at the end. Files are named by their path in the
project, relative to where pytest runs.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator.pytest_plugin.v8_coverage import FileLines, read_folder

FLAG = "--functions-emulator-cov"
INI = "functions_emulator_cov"
_STATE: pytest.StashKey[FunctionCoverage] = pytest.StashKey()


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("functions_emulator")
    group.addoption(
        FLAG,
        action="store_true",
        default=False,
        help="measure the lines the project's Python and Node.js functions run in their "
        "processes (with pytest-cov: into its report)",
    )
    parser.addini(INI, "true: as --functions-emulator-cov", type="bool", default=False)


def wanted(config: pytest.Config) -> bool:
    return bool(config.getoption(FLAG) or config.getini(INI))


@dataclass
class FunctionCoverage:
    """Where this session's function processes write their coverage."""

    folder: Path  # the session's own: Node.js's V8 files, and Python's without pytest-cov
    python_data: Path  # coverage.py's data file name; processes add suffixes
    joins_pytest_cov: bool
    roots: set[Path]

    @classmethod
    def start(cls, config: pytest.Config) -> FunctionCoverage:
        if importlib.util.find_spec("coverage") is None:
            raise pytest.UsageError(
                f"{FLAG} needs coverage.py: pip install coverage (or functions-emulator[coverage])"
            )
        folder = Path(tempfile.mkdtemp(prefix="functions-emulator-cov-"))
        data = _pytest_cov_data_file(config)
        state = cls(folder, data or folder / ".coverage", data is not None, set())
        config.stash[_STATE] = state
        return state

    @property
    def node_folder(self) -> Path:
        return self.folder / "v8"


def state_of(config: pytest.Config) -> FunctionCoverage | None:
    return config.stash.get(_STATE, None)


def _pytest_cov_data_file(config: pytest.Config) -> Path | None:
    """pytest-cov's data file, when it measures this session: its combine takes ours too."""
    plugin = config.pluginmanager.get_plugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    measured = getattr(controller, "cov", None)
    if measured is None:
        return None
    return Path(os.path.abspath(measured.config.data_file))


def report(config: pytest.Config, reporter: pytest.TerminalReporter) -> None:
    """The end of the session: Python's report when pytest-cov is not there to give it, and
    Node.js's summary per file."""
    state = state_of(config)
    if state is None:
        return
    try:
        if not state.joins_pytest_cov:
            _python_report(state, reporter)
        _node_report(state, reporter)
    finally:
        shutil.rmtree(state.folder, ignore_errors=True)


def _python_report(state: FunctionCoverage, reporter: pytest.TerminalReporter) -> None:
    import coverage

    files = [str(p) for p in state.folder.glob(".coverage.*")]
    reporter.write_sep("-", "functions_emulator coverage: Python functions")
    if not files:
        reporter.write_line("no Python function ran")
        return
    combined = coverage.Coverage(data_file=str(state.python_data))
    combined.combine(files)
    combined.save()

    text = io.StringIO()
    combined.report(file=text, show_missing=True)
    for line in text.getvalue().splitlines():
        reporter.write_line(line)


def _node_report(state: FunctionCoverage, reporter: pytest.TerminalReporter) -> None:
    if not state.node_folder.is_dir():
        return
    measured: list[FileLines] = []
    for root in sorted(state.roots):
        measured += read_folder(state.node_folder, root)
    if not measured:
        return
    reporter.write_sep("-", "functions_emulator coverage: Node.js functions")
    width = max(len(_name(f.path)) for f in measured)
    reporter.write_line(f"{'Name':<{width}}  Lines  Miss  Cover  Missing")
    for found in measured:
        missing = ", ".join(map(str, found.missing))
        reporter.write_line(
            f"{_name(found.path):<{width}}  {len(found.lines):>5}  {len(found.missing):>4}"
            f"  {found.percent:>4.0f}%  {missing}"
        )


def _name(path: Path) -> str:
    """As coverage.py names files: relative to where pytest runs, when they are under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
