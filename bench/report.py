"""Figures, their targets and the peers' figures: the terminal table and bench/RESULTS.md."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness import Machine

PEERS = ("functions-framework", "serverless-offline")


@dataclass(frozen=True, slots=True)
class Target:
    """A figure's bound: at most `limit` (latency, memory) or at least `limit` (rates)."""

    limit: float
    at_most: bool

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit

    def text(self, unit: str) -> str:
        return f"{'≤' if self.at_most else '≥'} {number(self.limit)} {unit}".rstrip()


def at_most(limit: float) -> Target:
    return Target(limit, at_most=True)


def at_least(limit: float) -> Target:
    return Target(limit, at_most=False)


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure. `value` None: not measured (the note says why); `peers` holds the
    same figure measured on functions-framework and serverless-offline, in PEERS order."""

    scenario: str
    name: str
    value: float | None
    unit: str
    target: Target | None = None
    peers: tuple[float | None, ...] = ()
    note: str = ""

    def status(self) -> str:
        if self.target is None:
            return ""
        if self.value is None or math.isnan(self.value):
            return "not measured"
        return "met" if self.target.met(self.value) else "MISSED"

    def peer(self, index: int) -> str:
        if index >= len(self.peers):
            return ""
        theirs = self.peers[index]
        if theirs is None or self.value is None or theirs == 0:
            return "-" if theirs is None else number(theirs)
        return f"{number(theirs)} (ours ×{self.value / theirs:.2f})"


def number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    if value == int(value):
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


HEADER = ("scenario", "figure", "ours", "target", "status", *PEERS)


def cells(figure: Figure) -> tuple[str, ...]:
    ours = "-" if figure.value is None else f"{number(figure.value)} {figure.unit}".rstrip()
    target = figure.target.text(figure.unit) if figure.target else ""
    return (
        figure.scenario,
        figure.name,
        ours,
        target,
        figure.status(),
        *(figure.peer(index) for index in range(len(PEERS))),
    )


def table(figures: Sequence[Figure]) -> str:
    """The figures as aligned plain-text columns."""
    rows = [HEADER, *(cells(figure) for figure in figures)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join([text[0], "-" * max(map(len, text)), *text[1:]])


def markdown(
    figures: Sequence[Figure], machine: Machine, notes: Sequence[str], command: str
) -> str:
    """bench/RESULTS.md: the machine, every figure beside its target and the peers' figure,
    the notes of this run, and the section the lead keeps on what was tried."""
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}`. Figures, not tests: nothing asserts on them.",
        "",
        "## Machine",
        "",
        f"- CPU: {machine.cpu}, {machine.cores} cores",
        f"- RAM: {machine.ram_gb} GB",
        f"- Kernel: {machine.kernel}",
        f"- Python {machine.python}, Node {machine.node}",
        f"- Load average at the start: {machine.load}",
        f"- Date: {machine.date}",
        "",
        "## Figures",
        "",
        "Peers' columns: the same figure measured on that peer in the same run with the same "
        "client, and our figure divided by theirs.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" for _ in HEADER) + "|",
    ]
    for figure in figures:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells(figure)) + " |")
    missed = [figure for figure in figures if figure.status() in ("MISSED", "not measured")]
    lines += ["", "## Targets missed", ""]
    if missed:
        lines += [
            f"- {figure.scenario}, {figure.name}: {cells(figure)[2]} against "
            f"{cells(figure)[3]}{f' ({figure.note})' if figure.note else ''}"
            for figure in missed
        ]
    else:
        lines.append("None.")
    lines += ["", "## Notes on this run", ""]
    lines += [f"- {note}" for note in notes] or ["None."]
    lines += ["", WHAT_WAS_TRIED.read_text().rstrip(), ""]
    return "\n".join(lines)


# What was tried to meet the targets, and what each figure became: written by hand, kept
# beside the generated figures so that every run of the suite carries it along.
WHAT_WAS_TRIED = Path(__file__).resolve().parent / "what-was-tried.md"
