"""Number formatting for chart labels, tables and narrative text (zh-CN).

All formatters accept ``None`` / ``NaN`` / ``pd.NA`` and return the dash
:data:`MISSING` ("—") for them, so callers never have to special-case gaps.

>>> fmt_int(1860)
'1,860'
>>> fmt_yuan(105000)
'10.5万'
>>> fmt_pct(0.185)
'18.5%'

Every indicator value on every page, sheet and draft is written by
:func:`fmt_indicator` (number and measure word) or :func:`fmt_number` (number
only): the indicator's kind and measure word come from
:data:`gonghui_kit.analysis.indicators.INDICATORS`, the digits from here.

>>> fmt_indicator("care_amount", 11900), fmt_indicator("activities", 12), fmt_indicator("membership_rate", 1.0)
('1.19万元', '12场次', '100%')
"""

from __future__ import annotations

import datetime
import html
import math
from numbers import Real
from typing import Any

from gonghui_kit.analysis.indicators import BY_KEY

__all__ = [
    "MISSING",
    "fmt_int",
    "fmt_num",
    "fmt_yuan",
    "fmt_pct",
    "fmt_signed_pct",
    "fmt_pp",
    "html_text",
    "fmt_time",
    "fmt_date",
    "fmt_count",
    "fmt_number",
    "fmt_indicator",
    "measure",
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


def fmt_time(iso: str | None) -> str:
    """An ISO time stamp as a reader wants it.

    >>> fmt_time("2026-11-24T09:21:54+08:00"), fmt_time(""), fmt_time("昨天")
    ('2026-11-24 09:21', '', '昨天')
    """
    if not iso:
        return ""
    try:
        return datetime.datetime.fromisoformat(str(iso)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(iso)


def html_text(x: Any) -> str:
    """Any value as text safe inside HTML (also inside a quoted attribute); ``None`` → ``""``.

    >>> html_text('<b class="x">甲&乙</b>'), html_text(None)
    ('&lt;b class=&quot;x&quot;&gt;甲&amp;乙&lt;/b&gt;', '')
    """
    return html.escape("" if x is None else str(x), quote=True)


def fmt_date(d: Any) -> str:
    """A calendar date as ``2024-01-20``; ``""`` when there is none.

    >>> import datetime; fmt_date(datetime.date(2024, 1, 20)), fmt_date(None), fmt_date(float("nan"))
    ('2024-01-20', '', '')
    """
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return ""
    try:
        return d.strftime("%Y-%m-%d")
    except (AttributeError, ValueError):
        return ""


def fmt_count(x: Any, word: str, *, money: bool = False) -> str:
    """A count or an amount that is not an indicator, with its measure word.

    >>> fmt_count(3, "次"), fmt_count(11900, "元", money=True), fmt_count(None, "次")
    ('3次', '1.19万元', '—')
    """
    v = _as_float(x)
    if v is None:
        return MISSING
    return (fmt_yuan(v, 2 if abs(v) < 1e6 else 1) if money else fmt_int(v)) + word


# --------------------------------------------------------------------------
# indicators: the one place that decides how an indicator's number is written


def measure(key: str) -> str:
    """The measure word written after an indicator's number (``人次``, ``元`` …; rates: ``""``).

    >>> measure("activity_participants"), measure("membership_rate"), measure("unknown")
    ('人次', '', '')
    """
    return BY_KEY[key].measure if key in BY_KEY else ""


def fmt_number(key: str, value: Any) -> str:
    """The number of an indicator as Chinese readers expect it, no measure word.

    Counts and people: ``1,860``; money: ``1.19万`` / ``10.5万`` (two decimals
    of 万 below 100万, one above; below 1万 whole yuan); rates: ``96.2%``
    (``100%``, not ``100.0%``); averages (per member, hours, days): one decimal.

    >>> fmt_number("members_total", 1860.0), fmt_number("income_total", 105000), fmt_number("proposal_days", 12.25)
    ('1,860', '10.5万', '12.2')
    >>> fmt_number("care_amount", 11900), fmt_number("care_amount", 2_345_678), fmt_number("awards", None)
    ('1.19万', '234.6万', '—')
    """
    v = _as_float(value)
    if v is None:
        return MISSING
    kind = BY_KEY[key].kind if key in BY_KEY else "count"
    if kind in ("rate", "ratio"):
        return fmt_pct(v, strip=True)
    if kind == "yuan":
        return fmt_yuan(v, 2 if abs(v) < 1e6 else 1)
    if kind in ("per_member", "hours", "days"):
        return fmt_num(v, 1)
    return fmt_int(v)


def fmt_indicator(key: str, value: Any, *, unit: bool = True) -> str:
    """Number plus measure word: ``6,613人次``, ``10.5万元``, ``96.2%``; ``—`` when missing.

    >>> fmt_indicator("activity_participants", 6613), fmt_indicator("training_hours_per_member", 14.83)
    ('6,613人次', '14.8学时')
    >>> fmt_indicator("income_total", 105000, unit=False), fmt_indicator("proposals", float("nan"))
    ('10.5万', '—')
    """
    s = fmt_number(key, value)
    if s == MISSING or not unit:
        return s
    return s + measure(key)
