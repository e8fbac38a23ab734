"""A learned second opinion on danger: a linear model over character and word n-grams.

The safety net's patterns read danger the way it was written down; this model
reads it the way tenants write it, from labelled tenant mail in the languages
the net reads (`core/corpus/*.jsonl`: subject, the writer's own words, grade).
Two logistic regressions over hashed n-grams (`core.triage.features`: characters
2 to 5 within words, so "inondé" and "inondation" share evidence; words 1 and 2):
one says how likely the text is an emergency at all, the other, for an
emergency, how likely a danger to life rather than damage to the building.

Training takes a second or two; the trained weights are kept in a cache folder
(`$XDG_CACHE_HOME/tenant-inbox-assistant`, keyed by the corpus and library
versions) so later runs load them in milliseconds. The corpus is the source of
truth: the cache is never needed and may be deleted. scikit-learn (and scipy) are
imported only when a model is trained: reading mail needs numpy alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from core.triage.features import N_FEATURES, features

log = logging.getLogger(__name__)

CORPUS = Path(__file__).parents[1] / "corpus"
STRENGTH = 4.0  # the inverse of the regularisation: fits the corpus without learning it by heart
GRADES = ("life", "property")
_lock = threading.Lock()
_loaded: DangerModel | None = None


@dataclass(frozen=True)
class Example:
    subject: str
    text: str
    grade: str | None  # "life", "property", "emergency" (grade not known) or None


def read_corpus(folder: Path = CORPUS) -> list[Example]:
    """Every labelled example in the corpus folder, in a stable order."""
    examples = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                examples.append(Example(row["subject"], row["body"], row["grade"]))
    return examples


def _text(subject: str, text: str) -> str:
    return f"{subject}\n{text}".lower()


class DangerModel:
    """How likely a text describes an emergency, and a danger to life."""

    def __init__(self, emergency: Any, life: Any) -> None:
        # (coefficients, intercept) of each logistic regression, as numpy arrays.
        self._emergency = emergency
        self._life = life

    def probabilities(self, subject: str, text: str) -> tuple[float, float]:
        """(emergency, life given an emergency), each between 0 and 1."""
        return self.probabilities_of(subject, [text])[0]

    def probabilities_of(self, subject: str, texts: list[str]) -> list[tuple[float, float]]:
        """`probabilities` of several texts under one subject, in one pass."""
        found = []
        for text in texts:
            indices, values = features(_text(subject, text))
            found.append(
                (
                    _probability(indices, values, *self._emergency),
                    _probability(indices, values, *self._life),
                )
            )
        return found

    @classmethod
    def train(cls, examples: Iterable[Example]) -> DangerModel:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        rows = list(examples)
        matrix = _matrix([_text(e.subject, e.text) for e in rows])
        is_emergency = np.array([e.grade is not None for e in rows])
        graded = np.array([e.grade in GRADES for e in rows])
        weights = []
        for x, y in (
            (matrix, is_emergency),
            (matrix[graded], np.array([e.grade == "life" for e in rows if e.grade in GRADES])),
        ):
            fitted = LogisticRegression(
                C=STRENGTH,
                class_weight="balanced",
                solver="liblinear",
                max_iter=3000,
                random_state=0,  # the same corpus gives the same model
            ).fit(x, y)
            weights.append((fitted.coef_[0].astype(np.float32), float(fitted.intercept_[0])))
        return cls(*weights)

    def save(self, path: Path) -> None:
        import numpy as np

        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as out:
            np.savez(
                out,
                emergency=self._emergency[0],
                emergency_bias=self._emergency[1],
                life=self._life[0],
                life_bias=self._life[1],
            )
        os.replace(out.name, path)

    @classmethod
    def from_file(cls, path: Path) -> DangerModel:
        import numpy as np

        with np.load(path) as saved:
            return cls(
                (saved["emergency"], float(saved["emergency_bias"])),
                (saved["life"], float(saved["life_bias"])),
            )


def _matrix(texts: list[str]) -> Any:
    """The features of many texts as one sparse matrix, for training."""
    import numpy as np
    from scipy.sparse import csr_matrix

    rows = [features(text) for text in texts]
    indptr = np.cumsum([0, *(len(indices) for indices, _ in rows)])
    indices = np.concatenate([indices for indices, _ in rows])
    values = np.concatenate([values for _, values in rows])
    return csr_matrix((values, indices, indptr), shape=(len(texts), 2 * N_FEATURES))


def _probability(indices: Any, values: Any, coefficients: Any, bias: float) -> float:
    """The logistic of one text's score: its few non-zero features times their weights
    (a sparse product with the whole vector of weights would copy it to another type)."""
    import math

    score = float(coefficients[indices].dot(values)) + bias
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def corpus_key(folder: Path = CORPUS) -> str:
    """Names the corpus and the library a model was trained with (its version read from
    its metadata: importing it costs most of a second)."""
    digest = hashlib.sha256(f"{version('scikit-learn')} {N_FEATURES} {STRENGTH} seed 0".encode())
    for path in sorted(folder.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tenant-inbox-assistant"


def danger_model() -> DangerModel:
    """The model for the shipped corpus: from the cache, else trained (and cached)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _load_or_train()
        return _loaded


def _load_or_train() -> DangerModel:
    path = cache_folder() / f"danger-{corpus_key()}.npz"
    try:
        return DangerModel.from_file(path)
    except (OSError, ValueError, KeyError):
        pass
    model = DangerModel.train(read_corpus())
    try:
        model.save(path)
    except OSError as exc:  # a read-only home: train again next time
        log.info("the danger model could not be cached in %s: %s", path.parent, exc.strerror)
    return model
