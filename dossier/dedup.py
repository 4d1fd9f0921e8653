"""Near-duplicate articles: shingles and a bottom-k MinHash sketch, pure (no SQL, no UI).

Wires are resent with a changed paragraph or headline: the copy is a new file with a new
content hash, so it comes in as a second article. Each body becomes the set of its word
5-grams ("shingles", case-folded, punctuation dropped); a sketch keeps the 64 smallest 63-bit
hashes of them (bottom-k MinHash: one hash function, so a sketch costs one pass over the
text). Two sketches estimate the Jaccard similarity of the two shingle sets; a pair at or over
`THRESHOLD` is a near-duplicate. The 4 smallest hashes are the article's band keys: two
articles of similarity J share their smallest shingle with probability J, so a look-alike is
found through an index without comparing every pair.

THRESHOLD = 0.6 was chosen on resent wires: a six-paragraph story with one paragraph rewritten
keeps about 0.7 of its shingles, a story with a new headline only keeps 1.0 (the title is not
shingled), while two different stories of the same day from the same desk share well under
0.1 (a dateline and a boilerplate sentence).
"""

from __future__ import annotations

import heapq
import re
import zlib
from array import array
from functools import cache
from typing import Any

SHINGLE = 5  # words a shingle
SKETCH = 64  # hashes kept a sketch
BANDS = 4  # of them used as index keys
THRESHOLD = 0.6  # estimated Jaccard similarity from which two articles are near-duplicates
MIN_SHINGLES = 8  # a body shorter than this (a few words) is never anyone's duplicate

_WORD = re.compile(r"\w+")


@cache
def _numpy() -> tuple[Any, ...]:
    """numpy and the hash constants, imported at the first sketch: opening the app (which
    reads stored pairs and never sketches) does not pay numpy's import (~0.1-0.3 s)."""
    import numpy as np

    return (np, np.uint64((1 << 63) - 1), np.uint64(1_000_003), np.uint64(0xFF51AFD7ED558CCD),
            np.uint64(0xC4CEB9FE1A85EC53), np.uint64(33))


def shingles(body: str) -> set[str]:
    """The word 5-grams of a body, as text (what a sketch hashes, for reading)."""
    words = _WORD.findall(body.casefold())
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def sketch(body: str) -> list[int]:
    """The smallest SKETCH shingle hashes of a body, ascending (fewer for a short body).

    Each word is hashed once (CRC-32 of its UTF-8); a shingle's hash combines its five words'
    and is mixed with MurmurHash3's 64-bit finaliser, vectorised with numpy. Deterministic
    across runs and machines: the sketches are stored in the file."""
    words = _WORD.findall(body.casefold())
    if not words:
        return []
    np, _MASK, _PRIME, _MIX1, _MIX2, _SHIFT = _numpy()
    ids = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64,  # UTF-8
                      count=len(words))
    span = min(SHINGLE, len(words))
    n = len(words) - span + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(span):
            h = (h * _PRIME) ^ ids[k:k + n]
        h ^= h >> _SHIFT
        h *= _MIX1
        h ^= h >> _SHIFT
        h *= _MIX2
        h ^= h >> _SHIFT
    h &= _MASK
    if len(h) > 2 * SKETCH:  # the smallest few first: a partition is linear, a sort is not
        h = np.partition(h, 2 * SKETCH)[:2 * SKETCH]
    return [int(x) for x in np.unique(h)[:SKETCH]]


def to_blob(values: list[int]) -> bytes:
    return array("q", values).tobytes()


def from_blob(blob: bytes) -> list[int]:
    values = array("q")
    values.frombytes(blob)
    return list(values)


def bands(values: list[int]) -> list[int]:
    """The index keys of a sketch; none for a body too short to compare."""
    return values[:BANDS] if len(values) >= MIN_SHINGLES else []


def similarity(a: list[int] | frozenset[int], b: list[int] | frozenset[int]) -> float:
    """Estimated Jaccard similarity of the shingle sets two sketches were made from (a
    sketch as a list, or as a set already made: one article compared with many)."""
    if not a or not b:
        return 0.0
    sa = a if isinstance(a, frozenset) else set(a)
    sb = b if isinstance(b, frozenset) else set(b)
    union = heapq.nsmallest(min(SKETCH, len(sa | sb)), sa | sb)
    both = sum(1 for h in union if h in sa and h in sb)
    return both / len(union)
