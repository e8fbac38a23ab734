"""What the learned model reads in a text: hashed n-grams of characters and of words.

Characters 2 to 5 within each word and its edges (" inond", "ndé "), so "inondé"
and "inondation" share evidence; words 1 and 2 ("no", "no gas"). Each n-gram is
hashed into one of `N_FEATURES` buckets of its block and counted, and each block
is scaled to unit length, so a long email and a short one weigh alike.

These are exactly the features of scikit-learn's `HashingVectorizer` (analyzers
`char_wb` 2 to 5 and `word` 1 to 2, MurmurHash3, no alternating sign, l2 norm), so a
model trained with scikit-learn reads the same here. They are computed with
numpy instead: the n-grams are never built as strings, every one of them is
hashed at once from the text's UTF-8 bytes. Reading an email costs a fraction
of a millisecond, and the assistant needs scikit-learn (most of a second to
import) only to train the model.
"""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import numpy.typing as npt

N_FEATURES = 2**18  # buckets per block; the model has two blocks (characters, words)
CHARS = (2, 5)  # the lengths of the character n-grams, both included
# scikit-learn's default `token_pattern`, with an apostrophe inside a word ("don't").
TOKEN = re.compile(r"(?u)\b\w[\w']*\b")

Indices = npt.NDArray[np.int64]
Values = npt.NDArray[np.float64]
_U32 = npt.NDArray[np.uint32]
_INT_MIN_INDEX = (2**31 - 1 - (N_FEATURES - 1)) % N_FEATURES  # as scikit-learn places -2**31


def features(text: str) -> tuple[Indices, Values]:
    """The text's non-zero features (the text lower case already): bucket numbers,
    characters first, then words offset by `N_FEATURES`, and their weights."""
    chars = _unit(_char_hashes(text))
    words = _unit(_word_hashes(text))
    return (
        np.concatenate([chars[0], words[0] + N_FEATURES]),
        np.concatenate([chars[1], words[1]]),
    )


def _char_hashes(text: str) -> _U32:
    """Every window of 2 to 5 characters inside " word " for each word of the text."""
    words = text.split()
    if not words:
        return np.zeros(0, dtype=np.uint32)
    padded = "".join(f" {word} " for word in words)
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    # Which word each character is in, and where each character starts in UTF-8.
    lengths = np.fromiter((len(word) + 2 for word in words), dtype=np.int64, count=len(words))
    owner = np.repeat(np.arange(len(words)), lengths)
    size = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
    offsets = np.concatenate([[0], np.cumsum(size)])
    starts, ends = [], []
    for n in range(CHARS[0], CHARS[1] + 1):
        first = np.arange(len(codes) - n + 1)
        inside = first[owner[first] == owner[first + n - 1]]
        starts.append(offsets[inside])
        ends.append(offsets[inside + n])
    start, end = np.concatenate(starts), np.concatenate(ends)
    return _murmur3(np.frombuffer(padded.encode("utf-8"), dtype=np.uint8), start, end - start)


def _word_hashes(text: str) -> _U32:
    """Every word, and every two words in a row joined by a space."""
    tokens = TOKEN.findall(text)
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    grams = [*tokens, *(f"{a} {b}" for a, b in pairwise(tokens))]
    encoded = [gram.encode("utf-8") for gram in grams]
    lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
    start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return _murmur3(np.frombuffer(b"".join(encoded), dtype=np.uint8), start, lengths)


def _murmur3(data: npt.NDArray[np.uint8], start: Indices, length: Indices) -> _U32:
    """MurmurHash3 (x86, 32 bits, seed 0) of each slice `data[start:start+length]`."""
    longest = int(length.max()) if len(length) else 0
    # The slices as rows of a matrix, padded with zero bytes to whole blocks and a tail.
    width = (longest // 4 + 1) * 4
    columns = np.arange(width)
    taken = columns < length[:, None]
    at = np.where(taken, start[:, None] + columns, 0)
    rows = np.where(taken, data[at] if len(data) else 0, 0).astype(np.uint32)
    words = rows[:, 0::4] | rows[:, 1::4] << 8 | rows[:, 2::4] << 16 | rows[:, 3::4] << 24
    blocks = length // 4
    h = np.zeros(len(length), dtype=np.uint32)
    for j in range(longest // 4):
        k = _rotl(words[:, j] * np.uint32(0xCC9E2D51), 15) * np.uint32(0x1B873593)
        mixed = _rotl(h ^ k, 13) * np.uint32(5) + np.uint32(0xE6546B64)
        h = np.where(j < blocks, mixed, h)
    # The last 1 to 3 bytes: zero padding beyond them leaves a zero word, which mixes to 0.
    tail = words[np.arange(len(length)), blocks]
    h ^= _rotl(tail * np.uint32(0xCC9E2D51), 15) * np.uint32(0x1B873593)
    h ^= length.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _rotl(x: _U32, r: int) -> _U32:
    rotated: _U32 = (x << np.uint32(r)) | (x >> np.uint32(32 - r))
    return rotated


def _unit(hashes: _U32) -> tuple[Indices, Values]:
    """Counts per bucket (scikit-learn's: the absolute value of the signed hash, modulo),
    scaled so that the block has unit length."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    signed = hashes.view(np.int32).astype(np.int64)
    buckets = np.where(signed == -(2**31), _INT_MIN_INDEX, np.abs(signed) % N_FEATURES)
    found, counts = np.unique(buckets, return_counts=True)
    values = counts.astype(np.float64)
    values /= np.sqrt(np.dot(values, values))
    return found.astype(np.int64), values
