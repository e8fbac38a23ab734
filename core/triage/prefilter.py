"""Rule a large pattern out before running it: the words any match must contain.

The safety net and the follow-up reader match tenant mail against patterns of
thousands of characters (alternatives in eight languages, gaps, lookarounds).
Python's regular expressions try every alternative at every position, so each
costs tens of microseconds per sentence, most often to find nothing. Any match
of such a pattern contains at least one of a few literal words, read from the
pattern itself: `\\b(gas|propane) (leak|smell)` cannot match a text that has
neither "leak" nor "smell" in it. `Prefilter.might_match` checks those words
with plain substring tests, and only a text that has one of them is given to
the pattern.

The words are read from the parsed pattern (`re._parser`); a pattern they
cannot be read from (or a Python whose parser differs) is simply always run.
Both the words and the text are case-folded, so a case-insensitive pattern is
ruled out only when no case of the word is there. Ruling out is never a guess:
a text is skipped only when the pattern cannot match it.
"""

from __future__ import annotations

import importlib
import re
from functools import cached_property
from typing import Any

try:  # the parser of the standard library's own `re`, as `re.compile` uses it
    _sre: Any = importlib.import_module("re._constants")
    _parse: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - another Python's layout: no prefilter
    _sre = _parse = None

Words = frozenset[str]


class Prefilter:
    """A pattern with the literal words one of which every match contains."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.words: Words | None = required_words(pattern)
        # Longest first: the rarer words rule a text in or out sooner.
        self._words = tuple(sorted(self.words, key=len, reverse=True)) if self.words else None

    def might_match(self, folded: str) -> bool:
        """False only when the pattern cannot match `folded` (a text, `str.casefold`ed)."""
        # Plain substring tests: `re` tries every word at every position of the text,
        # `in` scans the text once per word at the speed of `memchr`.
        return self._words is None or any(word in folded for word in self._words)

    def search(self, text: str) -> re.Match[str] | None:
        """`pattern.search`, skipped when it cannot match."""
        return self.pattern.search(text) if self.might_match(text.casefold()) else None

    @cached_property
    def _alternatives(self) -> tuple[Prefilter, ...] | None:
        """A pattern of many alternatives (`a|b|c`) matches where one of them does: each
        alternative with words of its own is tried only on a text that has them. Read
        when first needed: most prefilters are only ever asked `might_match`."""
        return _alternatives(self.pattern)

    def found(self, text: str) -> bool:
        """Whether `pattern` matches anywhere in `text`: only the alternatives whose
        words the text has are run, each a small pattern of its own."""
        if self._alternatives is None:
            return self.search(text) is not None
        folded = text.casefold()
        return any(
            alternative.might_match(folded) and alternative.pattern.search(text) is not None
            for alternative in self._alternatives
        )


def _alternatives(pattern: re.Pattern[str]) -> tuple[Prefilter, ...] | None:
    """Each top-level alternative of `pattern` as a prefiltered pattern of its own, when
    there are several and every one has words to rule it out by; else None."""
    parts = top_level_alternatives(pattern.pattern)
    if len(parts) < 2:
        return None
    try:
        alternatives = tuple(Prefilter(re.compile(part, pattern.flags)) for part in parts)
    except re.error:  # an alternative that needs the others (a group named across them)
        return None
    if any(alternative.words is None for alternative in alternatives):
        return None
    return alternatives


def top_level_alternatives(source: str) -> list[str]:
    """`source` cut at each `|` outside groups and character classes."""
    parts: list[str] = []
    depth, start, index, in_class = 0, 0, 0, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += 1 if source[index + 1 : index + 2] == "^" else 0
            index += 1 if source[index + 1 : index + 2] == "]" else 0  # "[]…]": a literal ]
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:index])
            start = index + 1
        index += 1
    parts.append(source[start:])
    return parts


def required_words(pattern: re.Pattern[str]) -> Words | None:
    """Literal words (case-folded), one of which every match of `pattern` contains;
    None when there is no such set (or it cannot be read)."""
    if _parse is None:
        return None
    try:
        parsed = _parse.parse(pattern.pattern, pattern.flags)
        found = _sequence(list(parsed))
    except Exception:
        return None
    if not found or any(not word.strip() for word in found):
        return None
    return frozenset(word.casefold() for word in found)


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """What a sequence requires: the most selective of what any one part requires
    (each run of literal characters is one word)."""
    best: set[str] | None = None
    run: list[str] = []

    def consider(candidate: set[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or _selectivity(candidate) > _selectivity(best)):
            best = candidate

    for op, argument in items:
        if op is _sre.LITERAL:
            run.append(chr(argument))
            continue
        if run:
            consider({"".join(run)})
            run = []
        consider(_part(op, argument))
    if run:
        consider({"".join(run)})
    return best


def _part(op: Any, argument: Any) -> set[str] | None:
    if op is _sre.SUBPATTERN:
        return _sequence(list(argument[-1]))
    if op is _sre.ATOMIC_GROUP:
        return _sequence(list(argument))
    if op is _sre.BRANCH:  # every alternative must require something
        union: set[str] = set()
        for alternative in argument[1]:
            found = _sequence(list(alternative))
            if not found:
                return None
            union |= found
        return union
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, _high, inner = argument
        return _sequence(list(inner)) if low >= 1 else None
    return None  # classes, any character, anchors, lookarounds: nothing literal


def _selectivity(words: set[str]) -> tuple[int, int]:
    """Longer words rule out more; fewer of them cost less to look for."""
    return min(len(word) for word in words), -len(words)
