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

SHINGLE = 5  # words a shingle
SKETCH = 64  # hashes kept a sketch
BANDS = 4  # of them used as index keys
THRESHOLD = 0.6  # estimated Jaccard similarity from which two articles are near-duplicates
MIN_SHINGLES = 8  # a body shorter than this (a few words) is never anyone's duplicate

_WORD = re.compile(r"\w+")
_MASK = (1 << 63) - 1


def _hash(text: str) -> int:
    data = text.encode("utf-8")
    return ((zlib.crc32(data) << 32) | zlib.adler32(data)) & _MASK


def shingles(body: str) -> set[str]:
    words = _WORD.findall(body.casefold())
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def sketch(body: str) -> list[int]:
    """The smallest SKETCH shingle hashes of a body, ascending (fewer for a short body)."""
    return heapq.nsmallest(SKETCH, {_hash(s) for s in shingles(body)})


def to_blob(values: list[int]) -> bytes:
    return array("q", values).tobytes()


def from_blob(blob: bytes) -> list[int]:
    values = array("q")
    values.frombytes(blob)
    return list(values)


def bands(values: list[int]) -> list[int]:
    """The index keys of a sketch; none for a body too short to compare."""
    return values[:BANDS] if len(values) >= MIN_SHINGLES else []


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the shingle sets two sketches were made from."""
    if not a or not b:
        return 0.0
    k = min(SKETCH, len(set(a) | set(b)))
    union = heapq.nsmallest(k, set(a) | set(b))
    sa, sb = set(a), set(b)
    both = sum(1 for h in union if h in sa and h in sb)
    return both / len(union)
