"""Figures, their targets and the peers' figures: the terminal table and bench/RESULTS.md."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness import Machine

# What a Figure's `peers` holds: each peer's same figure, measured in the same run (None: that
# peer was not measured, and the note of the run says why).
PeerFigures = tuple[tuple[str, float | None], ...]


@dataclass(frozen=True, slots=True)
class Bound:
    """One side of a target: `limit` itself, or, with `peer`, `limit` times that peer's same
    figure measured in the same run (a ratio target: ours ÷ theirs)."""

    limit: float
    peer: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A figure's bound: at most (latency, memory, CPU) or at least (rates), every one of
    `bounds` at once."""

    at_most: bool
    bounds: tuple[Bound, ...]

    def met(self, value: float, peers: PeerFigures) -> bool | None:
        """Whether `value` meets every bound; None when a peer it is judged against was not
        measured."""
        known = dict(peers)
        verdicts = []
        for bound in self.bounds:
            theirs = 1.0 if bound.peer is None else known.get(bound.peer)
            if theirs is None or math.isnan(theirs) or theirs == 0:
                return None
            limit = bound.limit * theirs
            verdicts.append(value <= limit if self.at_most else value >= limit)
        return all(verdicts)

    def text(self, unit: str) -> str:
        sign = "≤" if self.at_most else "≥"
        parts = [
            f"{sign} {number(bound.limit)} {unit}".rstrip()
            if bound.peer is None
            else f"{sign} {number(bound.limit)} × {bound.peer}"
            for bound in self.bounds
        ]
        return ", ".join(parts)


def at_most(limit: float) -> Target:
    return Target(True, (Bound(limit),))


def at_least(limit: float) -> Target:
    return Target(False, (Bound(limit),))


def at_most_times(ratios: dict[str, float]) -> Target:
    """At most `ratio` × each named peer's same figure (latency)."""
    return Target(True, tuple(Bound(ratio, peer) for peer, ratio in ratios.items()))


def at_least_times(ratios: dict[str, float]) -> Target:
    """At least `ratio` × each named peer's same figure (rates)."""
    return Target(False, tuple(Bound(ratio, peer) for peer, ratio in ratios.items()))


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure. `value` None: not measured (the note says why); `peers` holds the
    same figure measured on each peer named, in the same run."""

    scenario: str
    name: str
    value: float | None
    unit: str
    target: Target | None = None
    peers: PeerFigures = ()
    note: str = ""

    def status(self) -> str:
        if self.target is None:
            return ""
        if self.value is None or math.isnan(self.value):
            return "not measured"
        met = self.target.met(self.value, self.peers)
        if met is None:
            return "not measured"
        return "met" if met else "MISSED"

    def peer(self, name: str) -> str:
        """Its cell in `name`'s column: theirs, and ours ÷ theirs."""
        known = dict(self.peers)
        if name not in known:
            return ""
        theirs = known[name]
        if theirs is None or math.isnan(theirs):
            return "-"
        cell = with_unit(theirs, self.unit)
        if self.value is None or math.isnan(self.value) or theirs == 0:
            return cell
        return f"{cell} (ours ×{self.value / theirs:.2f})"

    def judged_against(self) -> str:
        """The peers' cells its target names, for the list of targets missed."""
        named = [b.peer for b in self.target.bounds if b.peer] if self.target else []
        return "; ".join(f"{peer} {self.peer(peer)}" for peer in named)


def number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    if value == int(value):
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


COLUMNS = ("scenario", "figure", "ours", "target", "status")


def with_unit(value: float | None, unit: str) -> str:
    return f"{number(value)} {unit}".rstrip()


def peer_columns(figures: Sequence[Figure]) -> list[str]:
    """One column per peer any figure names, in the order they first appear."""
    names: dict[str, None] = {}
    for figure in figures:
        names.update((name, None) for name, _ in figure.peers)
    return list(names)


def cells(figure: Figure, peers: Sequence[str]) -> tuple[str, ...]:
    ours = "-" if figure.value is None else with_unit(figure.value, figure.unit)
    target = figure.target.text(figure.unit) if figure.target else ""
    return (
        figure.scenario,
        figure.name,
        ours,
        target,
        figure.status(),
        *(figure.peer(name) for name in peers),
    )


def table(figures: Sequence[Figure]) -> str:
    """The figures as aligned plain-text columns."""
    peers = peer_columns(figures)
    rows = [(*COLUMNS, *peers), *(cells(figure, peers) for figure in figures)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
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
    peers = peer_columns(figures)
    header = (*COLUMNS, *peers)
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
        "client, and our figure divided by theirs. A target written `× peer` is a ratio: ours "
        "against that peer's figure of the same run.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for figure in figures:
        row = cells(figure, peers)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    missed = [figure for figure in figures if figure.status() in ("MISSED", "not measured")]
    lines += ["", "## Targets missed", ""]
    if missed:
        lines += [missed_line(figure, peers) for figure in missed]
    else:
        lines.append("None.")
    lines += ["", "## Notes on this run", ""]
    lines += [f"- {note}" for note in notes] or ["None."]
    lines += ["", WHAT_WAS_TRIED.read_text().rstrip(), ""]
    return "\n".join(lines)


def missed_line(figure: Figure, peers: Sequence[str]) -> str:
    row = cells(figure, peers)
    why = "; ".join(part for part in (figure.judged_against(), figure.note) if part)
    return f"- {figure.scenario}, {figure.name}: {row[2]} against {row[3]}" + (
        f"; {why}" if why else ""
    )


# What was tried to meet the targets, and what each figure became: written by hand, kept
# beside the generated figures so that every run of the suite carries it along.
WHAT_WAS_TRIED = Path(__file__).resolve().parent / "what-was-tried.md"
