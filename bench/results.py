"""A measurement with its target."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    target: float
    higher_is_better: bool

    @property
    def ok(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def line(self) -> str:
        sign = "≥" if self.higher_is_better else "≤"
        verdict = "ok" if self.ok else "MISSED"
        return (
            f"{self.name:<46} {self.value:>10.1f} {self.unit:<9} "
            f"(target {sign} {self.target:g}) {verdict}"
        )


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def p95_ms(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[int(0.95 * (len(ordered) - 1))] * 1000
