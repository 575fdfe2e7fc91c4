"""Small pure helpers for spelling values in the sample ledgers (numbers, money, Chinese dates)."""

from __future__ import annotations

import datetime as dt

__all__ = ["cn_date", "cn_number", "fmt_num", "money"]

_CN_DIGIT = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..31 in Chinese: 7 → 七, 10 → 十, 21 → 二十一.

    >>> [cn_number(n) for n in (7, 10, 21, 31)]
    ['七', '十', '二十一', '三十一']
    """
    if n < 10:
        return _CN_DIGIT[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGIT[tens]) + "十" + (_CN_DIGIT[units] if units else "")


def cn_date(d: dt.date) -> str:
    """A date in Chinese numerals.

    >>> cn_date(dt.date(2023, 7, 1))
    '二〇二三年七月一日'
    """
    return "".join(_CN_DIGIT[int(c)] for c in str(d.year)) + f"年{cn_number(d.month)}月{cn_number(d.day)}日"


def fmt_num(x: float) -> str:
    """A number as people type it, never scientific.

    >>> fmt_num(1200.0), fmt_num(12.5), fmt_num(0.00005)
    ('1200', '12.5', '0.0001')
    """
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def money(x: float) -> float:
    """An amount in 元, rounded to the fen.

    >>> money(12.345678), money(3)
    (12.35, 3.0)
    """
    return round(float(x), 2)
