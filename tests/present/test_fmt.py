"""Edge cases of the number formatters (the doctests in gonghui_kit/present/fmt.py cover the basics)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gonghui_kit.present.fmt import MISSING, fmt_indicator, fmt_int, fmt_num, fmt_pct, fmt_pp, fmt_signed_pct, fmt_yuan


@pytest.mark.parametrize("fn", [fmt_int, fmt_num, fmt_yuan, fmt_pct, fmt_signed_pct, fmt_pp])
@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, "abc", float("inf")])
def test_missing_values_give_dash(fn, missing):
    assert fn(missing) == MISSING


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (0.4, "0.4"),
        (99.99, "99.99"),
        (100.4, "100"),
        (9800, "9,800"),
        (9999.4, "9,999"),
        (9999.5, "1万"),
        (10000, "1万"),
        (105000, "10.5万"),
        (99_999_999, "1亿"),
        (123_456_789, "1.23亿"),
        (-105000, "-10.5万"),
        (np.int64(250000), "25万"),
        ("105000", "10.5万"),
    ],
)
def test_fmt_yuan(value, expected):
    assert fmt_yuan(value) == expected


def test_numpy_and_strings():
    assert fmt_int(np.float32(1860.0)) == "1,860"
    assert fmt_int("1860") == "1,860"
    assert fmt_int(-0.4) == "0"
    assert fmt_pct(np.float64(0.185)) == "18.5%"
    assert fmt_pct(-0.0001) == "0.0%"
    assert fmt_signed_pct(0.0001) == "0.0%"
    assert fmt_num(-0.01, 1) == "0"


def test_fmt_indicator_by_kind():
    assert fmt_indicator("activity_participants", 1860) == "1,860人次"
    assert fmt_indicator("income_total", 105000) == "10.5万元"
    assert fmt_indicator("care_amount", 11900) == "1.19万元"
    assert fmt_indicator("membership_rate", 0.962) == "96.2%"
    assert fmt_indicator("training_hours_per_member", 14.83) == "14.8学时"
    assert fmt_indicator("proposals", float("nan")) == "—"


def test_one_formatter_for_unit_page_and_comparison():
    """The same value reads the same on every page: 慰问金额 11,900 is 1.19万元, 活动场次 12 is 12场次."""
    from gonghui_kit.present import report
    from gonghui_kit.present.fmt import fmt_number

    assert fmt_indicator("care_amount", 11900) == "1.19万元"
    assert fmt_indicator("activities", 12) == "12场次"
    assert fmt_number("care_amount", 11900) == "1.19万"
    assert not hasattr(report, "fmt_value")
