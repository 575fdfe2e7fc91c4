"""What a 居民身份证号 says without keeping it: birth date and gender (GB 11643).

A roster often has 身份证号 but no 出生日期 or 性别 column.  The number itself
is personal data and is dropped (spec §6); these derivations run on it first,
only for a number whose check digit is right, and fill only cells left blank.
The schema says which column derives what (``derives`` in ``ledger.yaml``);
``DERIVATIONS`` maps those names to functions, registered by name.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Callable

__all__ = ["DERIVATIONS", "check_digit", "id_birth_date", "id_gender", "valid_id"]

_ID = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def _norm(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    s = unicodedata.normalize("NFKC", value).strip().upper().replace(" ", "")
    return s if _ID.match(s) else None


def check_digit(body: str) -> str:
    """The 18th character GB 11643 gives the first 17 digits.

    >>> check_digit("11010519491231002")
    'X'
    """
    return _CHECK[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def valid_id(value: Any) -> str | None:
    """The 18-digit number if its check digit is right, else None (typos, made-up numbers).

    >>> valid_id("11010519491231002X"), valid_id("110105194912310021"), valid_id(110105)
    ('11010519491231002X', None, None)
    """
    s = _norm(value)
    if s is None:
        return None
    return s if check_digit(s[:17]) == s[17] else None


def id_birth_date(value: Any) -> dt.date | None:
    """Birth date in a valid number.

    >>> id_birth_date("11010519491231002X"), id_birth_date("bad")
    (datetime.date(1949, 12, 31), None)
    """
    s = valid_id(value)
    if s is None:
        return None
    try:
        return dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None


def id_gender(value: Any) -> str | None:
    """男 / 女 from the 17th digit of a valid number (odd: 男).

    >>> id_gender("11010519491231002X"), id_gender("bad")
    ('女', None)
    """
    s = valid_id(value)
    return None if s is None else ("男" if int(s[16]) % 2 else "女")


#: derived column key -> function of the raw value (``derives`` in ledger.yaml names the keys).
DERIVATIONS: dict[str, Callable[[Any], Any]] = {"birth_date": id_birth_date, "gender": id_gender}
