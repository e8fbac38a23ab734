"""Fit the offline classifier's confidence to how often it is right (Platt scaling).

`python -m bench.calibrate` classifies the development mail
(`tests/eval/dev/examples.jsonl`, the demo mailbox and `tests/eval/holdout`,
which the cues were tuned on), fits p(right) = 1 / (1 + exp(-(a * raw + b)))
by logistic regression on the raw score, and prints `a` and `b` for
`core.providers.offline.CALIBRATION`. `tests/eval/holdout2` is left out so
that it can show how well the fit carries over.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from core.evaluation.labelled import load_labels
from core.mail.parsing import parse_message
from core.models import Action
from core.providers.offline import classify, raw_confidence

ROOT = Path(__file__).resolve().parents[1]


def development_pairs() -> list[tuple[float, bool]]:
    """(raw score, right?) for every message with some evidence (none gets a fixed 0.3)."""
    pairs = []
    for line in (ROOT / "tests" / "eval" / "dev" / "examples.jsonl").read_text().splitlines():
        example = json.loads(line)
        found = classify(example["subject"], example["body"])
        if found.scores[found.intent] > 0:
            pairs.append((raw_confidence(found), found.intent.value == example["intent"]))
    for folder in (ROOT / "data" / "demo", ROOT / "tests" / "eval" / "holdout"):
        for label in load_labels(folder):
            if label.action is Action.SKIP:
                continue
            email = parse_message((folder / label.file).read_bytes())
            found = classify(email.subject, email.text)
            if found.scores[found.intent] > 0:
                pairs.append((raw_confidence(found), found.intent is label.intent))
    return pairs


def fit(
    pairs: list[tuple[float, bool]], steps: int = 20_000, rate: float = 0.5
) -> tuple[float, float]:
    a, b = 1.0, 0.0
    for _ in range(steps):
        grad_a = grad_b = 0.0
        for x, right in pairs:
            p = 1 / (1 + math.exp(-(a * x + b)))
            error = p - (1.0 if right else 0.0)
            grad_a += error * x
            grad_b += error
        a -= rate * grad_a / len(pairs)
        b -= rate * grad_b / len(pairs)
    return a, b


def main() -> None:
    pairs = development_pairs()
    a, b = fit(pairs)
    right = sum(ok for _, ok in pairs)
    print(f"{len(pairs)} examples, {right} classified right")
    print(f"CALIBRATION = ({a:.3f}, {b:.3f})")


if __name__ == "__main__":
    main()
