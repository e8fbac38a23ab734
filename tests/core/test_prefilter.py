"""The quick test that rules a pattern out never rules out a text the pattern matches."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from core.triage import followups
from core.triage.dangers import DANGERS
from core.triage.prefilter import Prefilter, required_words, top_level_alternatives
from core.triage.safety_net import screen

ROOT = Path(__file__).resolve().parents[2]


@cache
def labelled_texts() -> tuple[str, ...]:
    """Every tenant email and corpus line in the repository, as written."""
    texts = []
    for path in sorted((ROOT / "core" / "corpus").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts += [row["subject"], row["body"]]
    for path in sorted([*ROOT.glob("tests/eval/**/*.eml"), *ROOT.glob("data/demo/*.eml")]):
        texts.append(path.read_bytes().decode("utf-8", "replace"))
    return tuple(texts)


PATTERNS = [danger.pattern for danger in DANGERS] + [
    value for value in vars(followups).values() if isinstance(value, re.Pattern)
]


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:30])
def test_no_text_a_pattern_matches_is_ruled_out(pattern: re.Pattern[str]) -> None:
    """Neither the quick test nor the alternatives run one by one ever disagree
    with the pattern itself."""
    quick = Prefilter(pattern)
    missed = []
    for text in labelled_texts():
        matches = pattern.search(text) is not None
        if (matches and not quick.might_match(text.casefold())) or quick.found(text) != matches:
            missed.append(text[:80])
    assert missed == []


def test_alternatives_are_cut_only_outside_groups_and_classes() -> None:
    assert top_level_alternatives(r"a(b|c)|[|x]|\|d|e") == ["a(b|c)", "[|x]", "\\|d", "e"]
    assert top_level_alternatives(r"[]|]|q") == ["[]|]", "q"]


def test_most_ordinary_sentences_are_ruled_out_before_the_patterns_run() -> None:
    ordinary = "Could you tell me when the parking permits for next year are sent out?"
    ruled_out = [d.kind for d in DANGERS if not d.quick.might_match(ordinary.casefold())]
    assert len(ruled_out) >= len(DANGERS) - 3


@pytest.mark.parametrize(
    "text",
    [
        "THERE IS WATER POURING THROUGH THE CEILING",
        "Ça sent le GAZ dans la cuisine, très fort.",
        "Die Wohnung ist ÜBERFLUTET, das Wasser steht im Flur.",
    ],
)
def test_a_danger_in_capitals_or_accents_is_still_found(text: str) -> None:
    assert screen("", text).findings


def test_a_pattern_without_literal_words_is_always_run() -> None:
    assert required_words(re.compile(r"\d+[a-z]?")) is None
    assert Prefilter(re.compile(r"\d+[a-z]?")).search("flat 12b") is not None
    assert required_words(re.compile(r"(gas|propane)\s+(leak|smell)")) in (
        frozenset({"gas", "propane"}),
        frozenset({"leak", "smell"}),
    )
