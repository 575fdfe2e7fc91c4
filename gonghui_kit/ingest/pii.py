"""Personal data (spec §6): names become per-run random codes, so "once a
year per person" can still be checked while no name leaves the loader; ID
and phone numbers are never read into a table (``ledger.table_columns``
leaves them out) nor quoted in a finding.

A code is a keyed hash of the name (``salt``: random bytes drawn per run),
so the same person gets the same code within one run and an unrelated one
in the next.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from gonghui_kit.ingest import clean
from gonghui_kit.ingest.codes import PLAIN_RANGES, JoinedTexts
from gonghui_kit.schema import norm_key


def new_salt() -> bytes:
    """The random key of one run's codes."""
    return secrets.token_bytes(16)


def pseudonym(salt: bytes, value: Any) -> str | None:
    """The code of one name (None for a blank cell).

    >>> salt = b"k" * 16
    >>> pseudonym(salt, " 张三 ") == pseudonym(salt, "张三") != pseudonym(b"j" * 16, "张三")
    True
    >>> pseudonym(salt, None) is None, len(pseudonym(salt, "张三"))
    (True, 13)
    """
    t = clean.clean_text(value)
    if t is None:
        return None
    return "P" + hashlib.blake2b(norm_key(t).encode(), key=salt, digest_size=6).hexdigest()


def pseudonyms(salt: bytes, values: list[Any]) -> list[str | None]:
    """``pseudonym`` of each value; a name of plain characters (the usual
    case) is its own clean_text and norm_key, and the keyed hash state is
    copied instead of keyed again for each name.

    >>> names = ["张三", " 张三 ", "ZHANG（备注）", "li4", None, ""]
    >>> pseudonyms(b"k" * 16, names) == [pseudonym(b"k" * 16, v) for v in names]
    True
    """
    out: list[str | None] = [None] * len(values)
    pos = [u for u, v in enumerate(values) if type(v) is str and 0 < len(v) <= 2000]
    texts = [values[u] for u in pos]
    joined = JoinedTexts(texts)
    odd = set(joined.outside(PLAIN_RANGES).tolist()) if joined.ok else set(range(len(texts)))
    keyed = hashlib.blake2b(key=salt, digest_size=6)
    copy = keyed.copy
    for p, (u, v) in enumerate(zip(pos, texts, strict=True)):
        if p in odd:
            out[u] = pseudonym(salt, v)
        else:
            h = copy()
            h.update(v.encode())
            out[u] = "P" + h.hexdigest()
    if len(pos) != len(values):
        done = set(pos)
        for u, v in enumerate(values):
            if u not in done:
                out[u] = pseudonym(salt, v)
    return out
