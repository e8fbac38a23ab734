"""A learned second opinion on danger: a linear model over character and word n-grams.

The safety net's patterns read danger the way it was written down; this model
reads it the way tenants write it, from labelled tenant mail in the languages
the net reads (`core/corpus/*.jsonl`: subject, the writer's own words, grade).
Two logistic regressions over hashed n-grams (characters 2 to 5 within words, so
"inondé" and "inondation" share evidence; words 1 and 2): one says how likely the
text is an emergency at all, the other, for an emergency, how likely a danger
to life rather than damage to the building.

The n-grams are hashed here, in a few numpy operations per text (`features_of`).
scikit-learn (and scipy) only train the two regressions: training takes a few
seconds, and the trained weights are kept in a cache folder
(`$XDG_CACHE_HOME/tenant-inbox-assistant`, keyed by the corpus, the features and
the library's version), so later runs load them in milliseconds and never
import scikit-learn. The corpus is the source of truth: the cache is never
needed and may be deleted.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import json
import logging
import os
import re
import tempfile
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CORPUS = Path(__file__).with_name("corpus")
N_FEATURES = 2**18
FEATURES = "chars 2-5 in words, words 1-2; polynomial and crc32 hashes, v1"
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
        if not texts:
            return []
        found = []
        for text in texts:
            indices, values = features_of(_text(subject, text))
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
        features = _feature_matrix([_text(e.subject, e.text) for e in rows])
        is_emergency = np.array([e.grade is not None for e in rows])
        graded = np.array([e.grade in GRADES for e in rows])
        weights = []
        for x, y in (
            (features, is_emergency),
            (features[graded], np.array([e.grade == "life" for e in rows if e.grade in GRADES])),
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


_TOKEN = re.compile(r"(?u)\b\w[\w']*\b")
_BASE = 0x100000001B3  # the multiplier of the rolling hash over code points


def features_of(text: str) -> tuple[Any, Any]:
    """The text's features: (indices, values) of its hashed n-grams, each block (the
    characters 2 to 5 within words, the words 1 and 2) scaled to unit length.

    Plain numpy: the character n-grams of a whole text are hashed in a few array
    operations, where a vectoriser of scikit-learn builds each one as a string.
    """
    import numpy as np

    chars = _hashed_char_grams(text)
    tokens = _TOKEN.findall(text)
    grams = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    words = np.array([zlib.crc32(g.encode()) for g in grams], dtype=np.int64) % N_FEATURES
    indices, values = [], []
    for block, offset in ((chars, 0), (words, N_FEATURES)):
        if len(block):
            found, counts = np.unique(block, return_counts=True)
            indices.append(found + offset)
            values.append(counts / np.sqrt(np.dot(counts, counts)))
    if not indices:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(indices), np.concatenate(values)


def _hashed_char_grams(text: str) -> Any:
    """Hashes of the n-grams (n = 2 to 5) of each word padded with a space on each side."""
    import numpy as np

    padded = " " + "  ".join(text.split()) + " "
    points = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # A window that spans two words holds the two spaces between them.
    doubled = (points[:-1] == 32) & (points[1:] == 32)
    spans = np.concatenate(([0], np.cumsum(doubled)))
    hashes = []
    with np.errstate(over="ignore"):  # the hash wraps around, as it should
        for n in range(2, 6):
            count = len(points) - n + 1
            if count <= 0:
                break
            rolled = np.full(count, n, dtype=np.uint64)
            for k in range(n):
                rolled = rolled * np.uint64(_BASE) + points[k : k + count]
            within = spans[n - 1 : n - 1 + count] == spans[:count]
            hashes.append(_mixed(rolled[within]))
    if not hashes:
        return np.zeros(0, dtype=np.int64)
    return (np.concatenate(hashes) % np.uint64(N_FEATURES)).astype(np.int64)


def _mixed(values: Any) -> Any:
    """Spread the bits of each hash (the finaliser of MurmurHash3)."""
    import numpy as np

    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


def _feature_matrix(texts: list[str]) -> Any:
    """The features of many texts as one sparse matrix (for training)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    rows = [features_of(text) for text in texts]
    indptr = np.concatenate(([0], np.cumsum([len(i) for i, _ in rows])))
    return csr_matrix(
        (
            np.concatenate([v for _, v in rows]),
            np.concatenate([i for i, _ in rows]),
            indptr,
        ),
        shape=(len(texts), 2 * N_FEATURES),
    )


def _probability(indices: Any, values: Any, coefficients: Any, bias: float) -> float:
    """The logistic of one text's score: its few non-zero features times their weights
    (a sparse product with the whole vector of weights would copy it to another type)."""
    import math

    score = float(coefficients[indices].dot(values)) + bias
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def corpus_key(folder: Path = CORPUS) -> str:
    """Names the corpus and the libraries a model was trained with."""
    sklearn = importlib.metadata.version("scikit-learn")  # without importing it
    digest = hashlib.sha256(f"{sklearn} {FEATURES} {N_FEATURES} {STRENGTH} seed 0".encode())
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
