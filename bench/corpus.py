"""Write the development mail into the danger model's corpus: `python -m bench.corpus`.

The labelled development sets (`tests/eval/holdout*`, `tests/eval/emergencies`,
the demo mailbox) become `core/corpus/development.jsonl`: each message's subject,
the writer's own words (quotes and signatures removed, as triage reads them) and
its grade. Automated mail is left out. Run it after a development set changes.
A blind set (`tests/eval/blind/`) is written here only once a round of work has
opened it; until then it measures the model on a writer it has not seen.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.mail.loops import automated_reason
from core.mail.parsing import own_words, parse_message
from core.triage.emergency import grade_of

ROOT = Path(__file__).resolve().parents[1]
SETS = [
    ROOT / "data" / "demo",
    *(
        ROOT / "tests" / "eval" / name
        for name in ("holdout", "holdout2", "holdout3", "emergencies")
    ),
    # Blind sets once a round of work has opened them: development mail from then on.
    *(
        ROOT / "tests" / "eval" / "blind" / name
        for name in ("terse", "negatives", "understated", "rambling", "clients", "languages")
    ),
]
OUT = ROOT / "core" / "corpus" / "development.jsonl"


def rows(folder: Path) -> list[dict[str, str | None]]:
    found: list[dict[str, str | None]] = []
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line) if line.strip() else None
        if label is None or label.get("emergency") is None:
            continue
        email = parse_message((folder / label["file"]).read_bytes())
        if automated_reason(email, frozenset()):
            continue
        grade = None
        if label["emergency"]:
            kind = label.get("danger")
            grade = grade_of([kind]).value if kind else "emergency"
        found.append(
            {
                "subject": email.subject,
                "body": own_words(email.text),
                "grade": grade,
                "source": f"{folder.name}/{label['file']}",
            }
        )
    return found


def main() -> None:
    lines = [json.dumps(row, ensure_ascii=False) for folder in SETS for row in rows(folder)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} examples written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
