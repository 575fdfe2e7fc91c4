"""Numbers written in Chinese: 二〇二三, 二十一, and amounts in capitals as
on a receipt (壹万零伍佰元, 叁仟元整)."""

from __future__ import annotations

import re

__all__ = ["CN_DIGITS", "cn_int", "cn_amount"]

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_int(run: str) -> int | None:
    """Chinese numerals to int: 二〇二三 → 2023, 二十一 → 21, 十 → 10.

    A run longer than any number a ledger holds is not one: ``None`` (a
    megabyte of 〇一 would build a huge int in quadratic time, too large for
    a float or for ``str``).
    """
    if not run or len(run) > 18:
        return None
    if "十" in run:
        tens, _, units = run.partition("十")
        t = CN_DIGITS.get(tens, None) if tens else 1
        u = CN_DIGITS.get(units, None) if units else 0
        if t is None or u is None:
            return None
        return t * 10 + u
    out = 0
    for ch in run:
        d = CN_DIGITS.get(ch)
        if d is None:
            return None
        out = out * 10 + d
    return out


_CN_CAP_DIGITS = {
    **CN_DIGITS,
    "壹": 1,
    "贰": 2,
    "貳": 2,
    "叁": 3,
    "参": 3,
    "肆": 4,
    "伍": 5,
    "陆": 6,
    "柒": 7,
    "捌": 8,
    "玖": 9,
}
_CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_AMOUNT = re.compile(
    r"^(?:人民币)?([零〇一二两三四五六七八九壹贰貳叁参肆伍陆柒捌玖十拾百佰千仟万亿]*)(?:[元圆])?〇?"
    r"(?:([零〇一二两三四五六七八九壹贰貳叁参肆伍陆柒捌玖])角)?(?:([零〇一二两三四五六七八九壹贰貳叁参肆伍陆柒捌玖])分)?[整正]?$"
)


def _cn_whole(run: str) -> int | None:
    """An integer in Chinese numerals with units (壹万零伍佰 → 10500, 叁仟 → 3000)."""
    total = section = num = 0
    seen = False
    for ch in run:
        d = _CN_CAP_DIGITS.get(ch)
        if d is not None:
            num, seen = d, True
            continue
        u = _CN_SMALL_UNITS.get(ch)
        if u is not None:
            section += (num if seen else 1) * u
            num, seen = 0, False
        elif ch == "万":
            total += (section + num) * 10_000
            section = num = 0
            seen = False
        elif ch == "亿":
            total = (total + section + num) * 100_000_000
            section = num = 0
            seen = False
        else:
            return None
    return total + section + num


def cn_amount(text: str) -> float | None:
    """An amount written in Chinese (capital) numerals, as on a receipt.

    >>> texts = ("叁仟元整", "壹万零伍佰元", "伍佰元伍角", "贰拾元零伍分", "人民币壹佰元整", "十二", "元", "三点五")
    >>> [cn_amount(t) for t in texts]
    [3000.0, 10500.0, 500.5, 20.05, 100.0, 12.0, None, None]
    """
    t = text.replace("零", "〇") if text else text
    m = _CN_AMOUNT.match(t or "")
    if m is None or not (m[1] or m[2] or m[3]) or len(t) > 40:
        return None
    whole = _cn_whole(m[1].replace("〇", "零")) if m[1] else 0
    if whole is None:
        return None
    jiao = _CN_CAP_DIGITS[m[2]] if m[2] else 0
    fen = _CN_CAP_DIGITS[m[3]] if m[3] else 0
    return round(whole + jiao / 10 + fen / 100, 2)
