"""Number formatting for chart labels, tables and narrative text (zh-CN).

All formatters accept ``None`` / ``NaN`` / ``pd.NA`` and return the dash
:data:`MISSING` ("—") for them, so callers never have to special-case gaps.

>>> fmt_int(1860)
'1,860'
>>> fmt_yuan(105000)
'10.5万'
>>> fmt_pct(0.185)
'18.5%'
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

__all__ = [
    "MISSING",
    "fmt_int",
    "fmt_num",
    "fmt_yuan",
    "fmt_pct",
    "fmt_signed_pct",
    "fmt_pp",
]

#: Shown for missing values (em dash, as in Chinese statistical tables).
MISSING = "—"


def _as_float(x: Any) -> float | None:
    """Return ``x`` as a finite float, or None for missing / non-finite values."""
    if x is None or isinstance(x, bool):
        return None if x is None else float(x)
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    if math.isnan(v) or math.isinf(v):
        return None
    return v


def _strip(s: str) -> str:
    """'10.50' -> '10.5', '10.0' -> '10'."""
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_int(x: Any) -> str:
    """Integer with thousands separators (rounded half away from zero).

    >>> fmt_int(1860)
    '1,860'
    >>> fmt_int(1234567.5)
    '1,234,568'
    >>> fmt_int(-42)
    '-42'
    >>> fmt_int(None), fmt_int(float('nan'))
    ('—', '—')
    """
    v = _as_float(x)
    if v is None:
        return MISSING
    n = int(math.floor(abs(v) + 0.5))
    return f"{'-' if v < 0 and n else ''}{n:,}"


def fmt_num(x: Any, digits: int = 1, *, strip: bool = True) -> str:
    """General number: thousands separators, ``digits`` decimals.

    Integral values print without decimals when ``strip`` is true.

    >>> fmt_num(1860)
    '1,860'
    >>> fmt_num(3.14159, 2)
    '3.14'
    >>> fmt_num(2.50, 2)
    '2.5'
    >>> fmt_num(2.5, 2, strip=False)
    '2.50'
    """
    v = _as_float(x)
    if v is None:
        return MISSING
    s = f"{v:,.{digits}f}"
    s = _strip(s) if strip else s
    return "0" if s in ("-0", "") else s


def fmt_yuan(x: Any, digits: int = 1, *, strip: bool = True) -> str:
    """Amount of money in 元, scaled to 万 / 亿 (the caller appends "元").

    * ``|x| < 1万``: integer with separators (``'9,800'``), or 2 decimals for
      amounts below 100 that have cents;
    * ``1万 <= |x| < 1亿``: ``x / 1万`` with ``digits`` decimals + "万";
    * ``|x| >= 1亿``: ``x / 1亿`` with 2 decimals + "亿".

    Trailing zeros are dropped unless ``strip=False``.

    >>> fmt_yuan(105000)
    '10.5万'
    >>> fmt_yuan(100000)
    '10万'
    >>> fmt_yuan(100000, strip=False)
    '10.0万'
    >>> fmt_yuan(9800)
    '9,800'
    >>> fmt_yuan(9999.7)
    '1万'
    >>> fmt_yuan(12345678)
    '1,234.6万'
    >>> fmt_yuan(256000000)
    '2.56亿'
    >>> fmt_yuan(-52000)
    '-5.2万'
    >>> fmt_yuan(12.5)
    '12.5'
    >>> fmt_yuan(None)
    '—'
    """
    v = _as_float(x)
    if v is None:
        return MISSING
    sign = "-" if v < 0 else ""
    a = abs(v)
    if round(a / 1e8, 2) >= 1:
        s, unit = f"{a / 1e8:,.2f}", "亿"
    elif round(a / 1e4, digits) >= 1 and round(a) >= 1e4:
        w = round(a / 1e4, digits)
        if w >= 1e4:  # 9,999.96万 rounds to 1亿
            s, unit = f"{a / 1e8:,.2f}", "亿"
        else:
            s, unit = f"{a / 1e4:,.{digits}f}", "万"
    elif a < 100 and a != int(a):
        s, unit = f"{a:.2f}", ""
    else:
        return f"{sign}{int(math.floor(a + 0.5)):,}" if round(a) else "0"
    s = _strip(s) if strip else s
    return f"{sign}{s}{unit}"


def fmt_pct(x: Any, digits: int = 1, *, strip: bool = False) -> str:
    """Ratio as a percentage: ``0.185 -> '18.5%'``.

    >>> fmt_pct(0.185)
    '18.5%'
    >>> fmt_pct(0.2)
    '20.0%'
    >>> fmt_pct(0.2, strip=True)
    '20%'
    >>> fmt_pct(1.5, 0)
    '150%'
    >>> fmt_pct(float('nan'))
    '—'
    """
    v = _as_float(x)
    if v is None:
        return MISSING
    s = f"{v * 100:.{digits}f}"
    s = _strip(s) if strip else s
    if s.lstrip("-").strip("0.") == "":  # "-0.0" -> "0.0"
        s = s.lstrip("-")
    return f"{s}%"


def fmt_signed_pct(x: Any, digits: int = 1) -> str:
    """Change ratio with an explicit sign: ``0.032 -> '+3.2%'``.

    >>> fmt_signed_pct(0.032)
    '+3.2%'
    >>> fmt_signed_pct(-0.1)
    '-10.0%'
    >>> fmt_signed_pct(0)
    '0.0%'
    """
    v = _as_float(x)
    if v is None:
        return MISSING
    s = fmt_pct(v, digits)
    return f"+{s}" if isinstance(v, Real) and s != fmt_pct(0, digits) and v > 0 else s


def fmt_pp(x: Any, digits: int = 1) -> str:
    """Difference of two ratios in 百分点 (percentage points).

    >>> fmt_pp(0.012)
    '1.2个百分点'
    >>> fmt_pp(-0.05)
    '-5.0个百分点'
    """
    v = _as_float(x)
    if v is None:
        return MISSING
    return f"{fmt_pct(v, digits)[:-1]}个百分点"
