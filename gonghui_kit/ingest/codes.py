"""Vectorised primitives over the distinct values of a grid of cells.

Cleaning works on distinct values: a body of n rows × m columns becomes one
object grid, every cell a code into the distinct values (pandas' hash table,
in C).  Row kinds, duplicate rows and every column parser then look at each
distinct value once and at the codes with numpy.  Nothing here knows about
ledgers: ``clean``, ``grid`` and ``pii`` build on it.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from typing import Any, Sequence

import numpy as np
import pandas as pd

NA_CODE = -1  # code of None / NaN / NaT cells (pandas' missing-value sentinel)
# Texts are often checked together, joined by NUL, as one array of code
# points: numpy finds the characters of a kind, and each one's position tells
# which text holds it.
# Characters NFKC leaves alone in any context (printable ASCII, 、。 and the
# unified CJK ideographs): norm_key of a text of only these keeps its
# characters (lower-cased) or drops them.
STABLE_RANGES = ((0x20, 0x7E), (0x3001, 0x3002), (0x4E00, 0x9FFF))
# Characters that clean_text and norm_key both keep as they are: a text of
# only these is its own clean_text and norm_key.
PLAIN_RANGES = ((0x30, 0x39), (0x61, 0x7A), (0x4E00, 0x9FFF))


class JoinedTexts:
    """Texts joined by NUL, as one array of code points."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        big = "\x00".join(texts)
        self.ok = big.count("\x00") == max(len(texts) - 1, 0)  # no NUL inside a text
        self.ends = np.cumsum(np.fromiter(map(len, texts), np.intp, len(texts)) + 1)  # one past each text's NUL
        self.cp = np.frombuffer(big.encode("utf-32-le", "surrogatepass") + b"\0\0\0\0", np.uint32)

    def first_chars(self) -> np.ndarray:
        """Code point of each text's first character (0 for an empty text)."""
        lens = np.diff(self.ends, prepend=0) - 1
        first = self.cp[self.ends - lens - 1]
        first[lens == 0] = 0
        return first

    def holding(self, mask: np.ndarray) -> np.ndarray:
        """Indices of the texts holding a character where ``mask`` (over ``cp``) is set."""
        return np.unique(np.searchsorted(self.ends, np.flatnonzero(mask), side="right"))

    def outside(self, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
        """Indices of the texts holding a character outside the code point ``ranges``."""
        cp = self.cp[:-1]
        inside = cp == 0  # the NULs between texts
        for lo, hi in ranges:
            inside |= (cp >= lo) & (cp <= hi)
        return self.holding(~inside)

    def among(self, chars: frozenset[str]) -> np.ndarray:
        """Indices of the texts holding any of ``chars``."""
        cp = self.cp[:-1]
        hit = np.zeros(len(cp), dtype=bool)
        for c in chars:
            hit |= cp == ord(c)
        return self.holding(hit)


def object_grid(body: Sequence[Sequence[Any]]) -> tuple[np.ndarray, np.ndarray | None]:
    n = len(body)
    lengths = [len(r) for r in body]
    m = max(lengths, default=0)
    grid = np.empty((n, m), dtype=object)
    if not n or not m:
        return grid, None
    ragged = min(lengths) != m
    try:
        if ragged:
            for i, r in enumerate(body):
                grid[i, : len(r)] = r
        else:
            grid = np.fromiter(itertools.chain.from_iterable(body), dtype=object, count=n * m).reshape(n, m)
    except (ValueError, TypeError):  # a cell that numpy takes for a sequence
        grid = np.empty((n, m), dtype=object)
        for i, r in enumerate(body):
            for j, v in enumerate(r):
                grid[i, j] = v
    return grid, (np.asarray(lengths, dtype=np.intp) if ragged else None)


_PLAIN_TYPES = frozenset((str, float, _dt.date, _dt.datetime, _dt.time, type(None)))
type_of = np.frompyfunc(type, 1, 1)


def factorize_typed(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pd.factorize, with cells of different types never sharing a code;
    also whether each distinct value is a str."""
    codes, uniq = pd.factorize(flat)
    codes = np.asarray(codes, dtype=np.intp)
    uniq = np.asarray(uniq, dtype=object)
    if not len(uniq):
        return codes, uniq, np.zeros(0, dtype=bool)
    is_str = np.fromiter(map(isinstance, uniq, itertools.repeat(str)), bool, len(uniq))
    # str only equals str; date, datetime and time never equal each other or a
    # float: with at most those types the hash table cannot have merged types
    if is_str.all():
        return codes, uniq, is_str
    sel = np.flatnonzero(~is_str[codes] & (codes >= 0))
    if _PLAIN_TYPES.issuperset(map(type, flat[sel])):
        return codes, uniq, is_str
    # numbers and bools of several types (openpyxl's int and float, True):
    # recode those cells by (type, value)
    seen: dict[Any, int] = {}
    extra: list[Any] = []
    new = codes.copy()
    for pos, v in zip(sel.tolist(), flat[sel].tolist(), strict=True):
        key = (type(v), codes[pos])
        c = seen.get(key)
        if c is None:
            c = seen[key] = len(uniq) + len(extra)
            extra.append(v)
        new[pos] = c
    ext = np.empty(len(extra), dtype=object)
    ext[:] = extra
    return new, np.concatenate([uniq, ext]), np.concatenate([is_str, np.zeros(len(extra), dtype=bool)])


def row_ids(codes: np.ndarray) -> np.ndarray:
    """One id per distinct row of an int matrix (0, 1, ... in order of first appearance)."""
    n, m = codes.shape
    key = np.zeros(n, dtype=np.int64)
    top = 0  # key < top
    for j in range(m):
        c = codes[:, j].astype(np.int64) + 1  # codes start at -1
        base = int(c.max()) + 1 if n else 1
        if top and top * base >= 1 << 62:
            key, uniq = pd.factorize(key)
            key = key.astype(np.int64)
            top = len(uniq)
        key = key * base + c
        top = max(top, 1) * base
    ids, _ = pd.factorize(key)
    return np.asarray(ids, dtype=np.intp)


def first_copies(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact duplicate rows of an int matrix: a mask of the later copies, and
    for each row the position of its first copy.

    >>> dup, first = first_copies(np.array([[0, 1], [2, 1], [0, 1], [0, 3]]))
    >>> dup.tolist(), first.tolist()
    ([False, False, True, False], [0, 1, 0, 3])
    """
    ids = row_ids(codes)
    _, first = np.unique(ids, return_index=True)  # ids count up in order of first appearance
    first_of = first[ids]
    return first_of != np.arange(len(ids)), first_of
