"""What one scenario hands back to the suite: figures, notes on how they were taken, and the
requests that failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness import Sample
from report import Figure

MAX_PRINTED_FAILURES = 5


@dataclass(slots=True)
class Outcome:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def failed(self, *samples: Sample) -> None:
        """Keep the first failures of each sample, and how many there were."""
        for sample in samples:
            shown = sample.failures[:MAX_PRINTED_FAILURES]
            self.failures += [f"{sample.name}: {failure}" for failure in shown]
            hidden = len(sample.failures) - len(shown)
            if hidden > 0:
                self.failures.append(f"{sample.name}: ... and {hidden} more")

    def merge(self, other: Outcome) -> None:
        self.figures += other.figures
        self.notes += other.notes
        self.failures += other.failures
