"""The danger model's development examples are the labelled sets as they are now.

`core/corpus/development.jsonl` is drawn from the development sets by
`python -m bench.corpus` and shipped, because an installed copy trains its
model from `core/corpus/` and has no `tests/eval/` to draw from. A label
changed without running it again would leave the model learning the old one.
"""

from __future__ import annotations

import json

from bench.corpus import OUT, SETS, rows


def test_the_shipped_development_examples_match_the_labelled_sets() -> None:
    shipped = [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines()]
    current = [row for folder in SETS for row in rows(folder)]
    stale = [row["source"] for row in current if row not in shipped]
    gone = [row["source"] for row in shipped if row not in current]
    assert not stale and not gone, (
        f"core/corpus/development.jsonl is out of date ({len(stale)} changed or new, "
        f"{len(gone)} gone, e.g. {(stale or gone)[:3]}): run python -m bench.corpus"
    )
