"""Highlights (亮点) and shortcomings (不足) of every unit and year, as data.

``highlights(ind, registry, standards_breaches)`` applies a few plain rules
to the indicator table (all units at once) and returns one row per finding:
``unit, year, kind, code, score, title, text, indicator, value, prev_value,
peer_median, rank``.  ``kind`` is ``highlight`` or ``shortcoming``; ``score``
orders them within a unit and year (higher = say it first); ``title`` is a
short Chinese heading and ``text`` one Chinese sentence with the numbers.

Highlights
    ``yoy_growth``   growth ≥ 15% on an indicator where more is better (or a
                     fall ≥ 15% where less is better), from a base large
                     enough to mean something (:data:`MIN_BASE`: 1 → 2 is not
                     "+100%"); rates: ≥ 5 percentage points
                     (money is never praised: spending more is no
                     achievement, see :data:`NOT_PRAISED`; nor 慰问人次 rising
                     through 节日慰问, a welfare for all members)
    ``first_in_peer``  rank 1 on a key indicator that does not grow with the
                     unit's size (:func:`size_free`) in a peer group of ≥ 3
                     units with a value (not all tied); never on spending
                     (a 经费使用率 over 100% is overspending, not a 亮点)
    ``award_national`` / ``award_provincial``  国家级 / 省部级 honours
    ``close_rate_full``  办结率 100% with ≥ 3 accepted proposals
    ``new_activity_kinds``  activity kinds held this year and not last year
    ``publicity_high``  媒体刊发 (报刊, 网络新媒体, 广播电视) at 省级 or
                     国家级 level; a 横幅 marked 国家级 is not media
Checks (kind ``check``: for the analyst, never for the text)
    ``ledger_change``  a year-on-year change that comes from a category the
                     ledger has in one year only (last year's 慰问 sheet had no
                     节日慰问 row): a change in how the ledger was filled, not
                     performance; it replaces the growth / decline row
Growth and decline rows that share one cause (参与人次 and 人均参与次数
falling together) are one row: the per-member figure is dropped
(:data:`SAME_CAUSE`).
Shortcomings
    ``yoy_decline``  the mirror of ``yoy_growth``
    ``below_peer``   a key indicator that does not grow with the unit's size
                     (:func:`size_free`) ≥ 20% worse than the peer median
    ``standard:<rule>``  breaches of spending standards (one row per rule)
    ``membership_rate_low``  入会率 < 90% (unless a standard already says so)
    ``close_rate_low``  办结率 < 80%
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gonghui_kit.analysis.compare import ranks, yoy
from gonghui_kit.analysis.indicators import BY_KEY, INDICATORS
from gonghui_kit.analysis.named import MEDIA_FORMS
from gonghui_kit.analysis.units import UNGROUPED
from gonghui_kit.ingest.findings import Finding
from gonghui_kit.present.fmt import fmt_indicator, fmt_pct, fmt_pp

__all__ = [
    "BELOW_PEER",
    "COLUMNS",
    "GROWTH",
    "MIN_ACCEPTED_FULL",
    "MIN_BASE",
    "MIN_CLOSE_RATE",
    "MIN_MEMBERSHIP_RATE",
    "MIN_PEERS",
    "NOT_PRAISED",
    "RATE_PP",
    "SAME_CAUSE",
    "breaches_to_frame",
    "highlights",
    "size_free",
    "top",
]

COLUMNS = [
    "unit",
    "year",
    "kind",
    "code",
    "score",
    "title",
    "text",
    "indicator",
    "value",
    "prev_value",
    "peer_median",
    "rank",
]

GROWTH = 0.15  # relative change that counts as strong growth / a decline
RATE_PP = 0.05  # for rates: change in percentage points
#: smallest previous value for a relative change to count, by indicator kind
MIN_BASE: dict[str, float] = {
    "count": 5,
    "people": 20,
    "person_times": 50,
    "yuan": 10_000,
    "per_member": 1,
    "hours": 20,
    "days": 5,
}
MIN_BASE_BY_INDICATOR: dict[str, float] = {"training_hours_per_member": 1}
BELOW_PEER = 0.20  # a key indicator this much worse than the peer median
MIN_PEERS = 3  # peer group size for rank-1 and peer-median rules
MIN_MEMBERSHIP_RATE = 0.9
MIN_CLOSE_RATE = 0.8
MIN_ACCEPTED_FULL = 3
#: indicators that describe the same thing as another one (not judged on their own)
SKIP_YOY = {"proposals_accepted", "proposals_closed", "training_hours"}
#: never a highlight: spending more (or a bigger budget) is not an achievement
NOT_PRAISED = {
    "expense_ratio",
    "activity_expense_per_member",
    "income_total",
    "expense_total",
    "care_amount",
    "balance",
    "activity_spend",
}
#: a per-member figure → the total it is computed from: when both move the same way, one cause, one row
SAME_CAUSE = {"participation_per_member": "activity_participants", "training_hours_per_member": "training_person_times"}
#: indicators whose categories are filled in differently from year to year (not activity kinds: a new kind is real)
LEDGER_CHANGE_SKIP = {"activities", "activity_participants", "activities_by_month"}
#: share of a change explained by categories present in one year only that makes it a ledger change
LEDGER_CHANGE_SHARE = 0.5


def size_free(key: str) -> bool:
    """Does the indicator not grow with the size of the unit (rates, per-member
    figures, days)?  Only those are held against the peer median: a union of
    25 members is not "below its peers" for holding fewer activities than
    one of 900.

    >>> size_free("membership_rate"), size_free("activity_expense_per_member"), size_free("activities")
    (True, True, False)
    """
    i = BY_KEY.get(key)
    return i is not None and (i.kind in ("rate", "per_member", "days") or key.endswith("_per_member"))


def _label(key: str) -> str:
    return BY_KEY[key].label


def _f(key: str, v) -> str:
    return fmt_indicator(key, v)


def _group_name(g: str) -> str:
    return "全部单位" if g in (UNGROUPED, None) or (isinstance(g, float) and np.isnan(g)) else f"同类单位（{g}）"


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="float64" if c in ("score", "value", "prev_value", "peer_median") else object)
            for c in COLUMNS
        }
    )


def _rows(d: pd.DataFrame, kind: str, code, score, title, text, **extra) -> pd.DataFrame:
    n = len(d)
    out = pd.DataFrame(
        {
            "unit": d["unit"].to_numpy(),
            "year": d["year"].to_numpy(),
            "kind": kind,
            "code": code if not isinstance(code, str) else [code] * n,
            "score": np.asarray(score, dtype="float64") if not np.isscalar(score) else np.full(n, float(score)),
            "title": list(title),
            "text": list(text),
            "indicator": d["indicator"].to_numpy() if "indicator" in d else extra.get("indicator"),
            "value": d["value"].to_numpy(dtype="float64") if "value" in d else np.nan,
            "prev_value": d["prev_value"].to_numpy(dtype="float64") if "prev_value" in d else np.nan,
            "peer_median": d["peer_median"].to_numpy(dtype="float64") if "peer_median" in d else np.nan,
            "rank": d["rank"].to_numpy() if "rank" in d else pd.NA,
        }
    )
    return out


# --------------------------------------------------------------------------
# rules


def _one_year_categories(y: pd.DataFrame) -> pd.DataFrame:
    """unit, year, indicator, cats, explained: the categories a total has in
    one of the two years only, and how much of its change they make up."""
    c = y[(y["category"] != "") & ~y["indicator"].isin(LEDGER_CHANGE_SKIP)]
    v, p = c["value"].fillna(0), c["prev_value"].fillna(0)
    has_prev_year = c.groupby(["unit", "year", "indicator"])["prev_value"].transform(lambda s: s.notna().any())
    once = c[has_prev_year & (((v > 0) & (p == 0)) | ((v == 0) & (p > 0)))]
    if once.empty:
        return pd.DataFrame(columns=["unit", "year", "indicator", "cats", "explained"])
    once = once.assign(
        delta=once["value"].fillna(0) - once["prev_value"].fillna(0), family=once["category"].str.split(":").str[0]
    )
    g = (
        once.groupby(["unit", "year", "indicator", "family"], sort=False)
        .agg(cats=("category", list), explained=("delta", "sum"))
        .reset_index()
    )
    g = g.iloc[g["explained"].abs().to_numpy().argsort(kind="stable")[::-1]]
    return g.drop_duplicates(["unit", "year", "indicator"]).drop(columns="family")


def _ledger_change(d: pd.DataFrame, y: pd.DataFrame) -> pd.Series:
    """Which rows of ``d`` (totals) change mostly through one-year categories."""
    o = _one_year_categories(y)
    if o.empty:
        return pd.Series(False, index=d.index)
    m = d[["unit", "year", "indicator", "change"]].merge(o, on=["unit", "year", "indicator"], how="left")
    share = m["explained"].astype("float64") / m["change"].where(m["change"] != 0)
    return pd.Series((share >= LEDGER_CHANGE_SHARE).to_numpy(), index=d.index)


def _festival_driven(d: pd.DataFrame, y: pd.DataFrame) -> pd.Series:
    """慰问人次 rising mostly through 节日慰问 (a welfare for all members, not care work)."""
    f = y[(y["indicator"] == "care_visits") & (y["category"] == "节日慰问")]
    delta = f.assign(delta=f["value"].fillna(0) - f["prev_value"].fillna(0))[["unit", "year", "indicator", "delta"]]
    m = d[["unit", "year", "indicator", "change"]].merge(delta, on=["unit", "year", "indicator"], how="left")
    share = m["delta"].astype("float64") / m["change"].where(m["change"] != 0)
    return pd.Series((share >= LEDGER_CHANGE_SHARE).to_numpy(), index=d.index)


def _ledger_change_rows(x: pd.DataFrame, y: pd.DataFrame) -> pd.DataFrame:
    o = _one_year_categories(y).set_index(["unit", "year", "indicator"])["cats"]
    titles, texts = [], []
    for u, yr, k, v, p in zip(x["unit"], x["year"], x["indicator"], x["value"], x["prev_value"], strict=False):
        cats = [c.split(":", 1)[-1] for c in o.get((u, yr, k), [])]
        titles.append(f"{_label(k)}的变化来自台账填法")
        texts.append(
            f"{_label(k)}{_f(k, v)}（上年{_f(k, p)}），变化主要来自只在一年台账中出现的“{'、'.join(cats)}”，"
            "请核实是填报口径变化还是实际工作变化，核实前不宜写入总结。"
        )
    return _rows(x, "check", "ledger_change", 40, titles, texts)


def _same_cause(x: pd.DataFrame) -> pd.DataFrame:
    """Drop a per-member row when its total moved the same way (one cause, one row)."""
    have = set(zip(x["unit"], x["year"], x["indicator"], strict=False))
    keep = [
        SAME_CAUSE.get(k) is None or (u, yr, SAME_CAUSE[k]) not in have
        for u, yr, k in zip(x["unit"], x["year"], x["indicator"], strict=False)
    ]
    return x[keep]


def _yoy_rules(tot: pd.DataFrame, y: pd.DataFrame | None = None) -> list[pd.DataFrame]:
    d = tot[
        tot["higher_is_better"].notna()
        & tot["value"].notna()
        & tot["prev_value"].notna()
        & ~tot["indicator"].isin(SKIP_YOY)
    ].copy()
    if d.empty:
        return []
    changed = _ledger_change(d, y) if y is not None else pd.Series(False, index=d.index)
    welfare = _festival_driven(d, y) if y is not None else pd.Series(False, index=d.index)
    hib = d["higher_is_better"].astype(bool)
    is_rate = d["kind"] == "rate"
    base = d["indicator"].map(MIN_BASE_BY_INDICATOR).fillna(d["kind"].map(MIN_BASE)).astype("float64")
    big = d["prev_value"].abs() >= base
    pct = d["change_pct"]
    pp = d["change"]
    up = np.where(is_rate, pp >= RATE_PP - 1e-12, big & (pct >= GROWTH - 1e-12))
    down = np.where(is_rate, pp <= -RATE_PP + 1e-12, big & (pct <= -GROWTH + 1e-12))
    moved = d[(up | down) & changed]
    good = _same_cause(d[np.where(hib, up, down) & ~changed & ~welfare & ~d["indicator"].isin(NOT_PRAISED)])
    bad = _same_cause(d[np.where(hib, down, up) & ~changed])
    key_bonus = lambda x: np.where(x["key_indicator"].astype(bool), 10.0, 0.0)

    def strength(x: pd.DataFrame) -> np.ndarray:
        r = np.where(x["kind"] == "rate", x["change"].abs() / 0.2, x["change_pct"].abs())
        return np.minimum(np.nan_to_num(r.astype("float64")), 1.0) * 20

    def words(x: pd.DataFrame, good: bool) -> tuple[list[str], list[str]]:
        titles, texts = [], []
        for k, v, p, c, cp, _h in zip(
            x["indicator"],
            x["value"],
            x["prev_value"],
            x["change"],
            x["change_pct"],
            x["higher_is_better"],
            strict=False,
        ):
            rising = c > 0
            if BY_KEY[k].kind == "rate":
                verb = "提高" if rising else "下降"
                amount = fmt_pp(abs(c))
                titles.append(f"{_label(k)}{verb}{amount}")
                texts.append(f"{_label(k)}{_f(k, v)}，较上年{verb}{amount}（上年{_f(k, p)}）。")
            else:
                verb = ("增长" if rising else "下降") if k != "proposal_days" else ("延长" if rising else "缩短")
                amount = fmt_pct(abs(cp))
                titles.append(f"{_label(k)}同比{verb}{amount}")
                texts.append(f"{_label(k)}{_f(k, v)}，同比{verb}{amount}（上年{_f(k, p)}）。")
        return titles, texts

    out = []
    if len(good):
        t, x = words(good, True)
        out.append(_rows(good, "highlight", "yoy_growth", 55 + strength(good) + key_bonus(good), t, x))
    if len(bad):
        t, x = words(bad, False)
        out.append(_rows(bad, "shortcoming", "yoy_decline", 55 + strength(bad) + key_bonus(bad), t, x))
    if len(moved):
        out.append(_ledger_change_rows(moved, y))
    return out


def _peer_rules(tot: pd.DataFrame) -> list[pd.DataFrame]:
    d = tot[tot["rank"].notna() & tot["value"].notna()].copy()
    if d.empty:
        return []
    worst = d.groupby(["year", "indicator", "peer_group"])["rank"].transform("max")
    hib = d["higher_is_better"].astype(bool)
    free = d["indicator"].map(size_free).astype(bool)
    praised = free & ~d["indicator"].isin(NOT_PRAISED)
    first = d[
        (d["rank"] == 1)
        & (d["n"] >= MIN_PEERS)
        & (worst > 1)
        & (~hib | (d["value"] > 0))
        & d["key_indicator"].astype(bool)
        & praised
    ]
    tie = first.groupby(["year", "indicator", "peer_group"])["rank"].transform("size") > 1
    out = []
    if len(first):
        best = lambda k: "最优" if BY_KEY[k].higher_is_better is False else "第一"
        titles = [
            f"{_label(k)}同类{'并列' if t else ''}{best(k)}" for k, t in zip(first["indicator"], tie, strict=False)
        ]
        texts = [
            f"{_label(k)}{_f(k, v)}，在{_group_name(g)}{int(n)}家中{'并列' if t else ''}排名第一（中位数{_f(k, m)}）。"
            for k, v, g, n, t, m in zip(
                first["indicator"],
                first["value"],
                first["peer_group"],
                first["n"],
                tie,
                first["peer_median"],
                strict=False,
            )
        ]
        out.append(_rows(first, "highlight", "first_in_peer", 85, titles, texts))
    k = d[d["key_indicator"].astype(bool) & free & (d["n"] >= MIN_PEERS) & d["peer_median"].notna()]
    m = k["peer_median"]
    gap = np.where(
        k["higher_is_better"].astype(bool), (m - k["value"]) / m.where(m > 0), (k["value"] - m) / m.where(m > 0)
    )
    below = k[np.nan_to_num(gap, nan=-1.0) >= BELOW_PEER - 1e-12]
    g = gap[np.nan_to_num(gap, nan=-1.0) >= BELOW_PEER - 1e-12]
    if len(below):
        titles = [f"{_label(x)}低于同类水平" for x in below["indicator"]]
        texts = [
            f"{_label(x)}{_f(x, v)}，{'低于' if h else '高于'}{_group_name(gr)}中位数（{_f(x, md)}）{fmt_pct(gg)}。"
            for x, v, gr, md, gg, h in zip(
                below["indicator"],
                below["value"],
                below["peer_group"],
                below["peer_median"],
                g,
                below["higher_is_better"],
                strict=False,
            )
        ]
        out.append(_rows(below, "shortcoming", "below_peer", 50 + np.minimum(g, 1.0) * 20, titles, texts))
    return out


def _award_rules(ind: pd.DataFrame, tables) -> list[pd.DataFrame]:
    a = ind[(ind["indicator"] == "awards") & ind["category"].isin(["国家级", "省部级"]) & (ind["value"] > 0)]
    if a.empty:
        return []
    names: dict[tuple, list[str]] = {}
    aw = (tables or {}).get("awards") if tables is not None else None
    if aw is not None and len(aw) and "name" in aw:
        # collective honours only (an individual's honour may carry a name)
        col = aw[aw["level"].isin(["国家级", "省部级"]) & (aw["recipient"] == "集体") & aw["name"].notna()]
        for (u, y, lv), s in col.groupby(["unit", "year", "level"])["name"]:
            clean = [str(x).strip().strip('“”"') for x in s if 0 < len(str(x).strip()) <= 30]
            names[(u, int(y), lv)] = list(dict.fromkeys(clean))[:2]
    out = []
    for level, code, score in (("国家级", "award_national", 100), ("省部级", "award_provincial", 90)):
        d = a[a["category"] == level]
        if d.empty:
            continue
        texts = []
        for u, y, v in zip(d["unit"], d["year"], d["value"], strict=False):
            nm = names.get((u, int(y), level))
            extra = f"，包括{'、'.join('“' + x + '”' for x in nm)}" if nm else ""
            texts.append(f"全年获得{level}荣誉{_f('awards', v)}{extra}。")
        out.append(_rows(d, "highlight", code, score, [f"获{level}荣誉"] * len(d), texts))
    return out


def _proposal_rules(w: pd.DataFrame) -> list[pd.DataFrame]:
    out = []
    if "proposal_close_rate" not in w or "proposals_accepted" not in w:
        return out
    d = w.reset_index()
    rate, acc = d["proposal_close_rate"], d["proposals_accepted"]
    full = d[(rate >= 1 - 1e-12) & (acc >= MIN_ACCEPTED_FULL)].assign(
        indicator="proposal_close_rate", value=lambda x: x["proposal_close_rate"]
    )
    if len(full):
        texts = [
            f"立案提案{_f('proposals_accepted', n)}，全部办结，办结率{_f('proposal_close_rate', r)}。"
            for n, r in zip(full["proposals_accepted"], full["proposal_close_rate"], strict=False)
        ]
        out.append(_rows(full, "highlight", "close_rate_full", 70, ["提案全部办结"] * len(full), texts))
    low = d[rate.notna() & (rate < MIN_CLOSE_RATE)].assign(
        indicator="proposal_close_rate", value=lambda x: x["proposal_close_rate"]
    )
    if len(low):
        texts = [
            f"立案提案{_f('proposals_accepted', n)}，办结{_f('proposals_closed', c)}，"
            f"办结率{_f('proposal_close_rate', r)}，低于{fmt_pct(MIN_CLOSE_RATE, strip=True)}。"
            for n, c, r in zip(
                low["proposals_accepted"],
                low.get("proposals_closed", pd.Series(np.nan, index=low.index)),
                low["proposal_close_rate"],
                strict=False,
            )
        ]
        out.append(
            _rows(
                low,
                "shortcoming",
                "close_rate_low",
                80 + (MIN_CLOSE_RATE - low["value"]) * 20,
                ["提案办结率偏低"] * len(low),
                texts,
            )
        )
    return out


def _membership_rule(w: pd.DataFrame, breaches: pd.DataFrame) -> list[pd.DataFrame]:
    if "membership_rate" not in w:
        return []
    d = w.reset_index()
    d = d[d["membership_rate"].notna() & (d["membership_rate"] < MIN_MEMBERSHIP_RATE)]
    if len(breaches) and "indicator" in breaches:
        said = set(
            zip(
                breaches.loc[breaches["indicator"] == "membership_rate", "unit"],
                breaches.loc[breaches["indicator"] == "membership_rate", "year"].astype(int),
                strict=False,
            )
        )
        d = d[[(u, int(y)) not in said for u, y in zip(d["unit"], d["year"], strict=False)]]
    if d.empty:
        return []
    d = d.assign(indicator="membership_rate", value=d["membership_rate"])
    texts = [f"入会率{_f('membership_rate', r)}，低于{fmt_pct(MIN_MEMBERSHIP_RATE, strip=True)}。" for r in d["value"]]
    return [_rows(d, "shortcoming", "membership_rate_low", 90, ["入会率偏低"] * len(d), texts)]


def _new_kinds_rule(y: pd.DataFrame) -> list[pd.DataFrame]:
    a = y[(y["indicator"] == "activities") & (y["category"] != "") & (y["category"] != "其他")]
    new = a[(a["value"] > 0) & (a["prev_value"] == 0)]
    if new.empty:
        return []
    g = new.groupby(["unit", "year"], sort=False)
    d = g.agg(value=("value", "size"), cats=("category", list), counts=("value", list)).reset_index()
    d["indicator"] = "activities"
    texts = [
        "新开展" + "、".join(f"{c}{_f('activities', n)}" for c, n in zip(cs, ns, strict=False)) + "，活动形式更加丰富。"
        for cs, ns in zip(d["cats"], d["counts"], strict=False)
    ]
    titles = ["新开展" + "、".join(cs[:3]) + ("等活动" if len(cs) > 3 else "") for cs in d["cats"]]
    return [_rows(d, "highlight", "new_activity_kinds", 50 + np.minimum(d["value"], 5) * 2, titles, texts)]


def _media_high(tables) -> pd.DataFrame | None:
    """category 级别:国家级/级别:省级 counts of 媒体刊发 only (报刊, 网络新媒体, 广播电视), from the ledger."""
    pub = (tables or {}).get("publicity") if tables is not None else None
    if pub is None or not {"form", "level"} <= set(pub.columns):
        return None
    m = pub[pub["form"].isin(MEDIA_FORMS) & pub["level"].isin(["国家级", "省级"])]
    q = pd.to_numeric(m["quantity"], errors="coerce").fillna(1) if "quantity" in m else pd.Series(1.0, index=m.index)
    g = m.assign(q=q).groupby(["unit", "year", "level"])["q"].sum().reset_index()
    return pd.DataFrame(
        {
            "unit": g["unit"],
            "year": g["year"].astype("int64"),
            "indicator": "publicity_items",
            "category": "级别:" + g["level"],
            "value": g["q"].astype("float64"),
        }
    )


def _publicity_rule(ind: pd.DataFrame, tables=None) -> list[pd.DataFrame]:
    media = _media_high(tables)
    src = media if media is not None else ind
    p = src[(src["indicator"] == "publicity_items") & src["category"].isin(["级别:国家级", "级别:省级"])]
    if p.empty:
        return []
    w = p.pivot_table(index=["unit", "year"], columns="category", values="value", aggfunc="first").reindex(
        columns=["级别:国家级", "级别:省级"]
    )
    w = w[(w.fillna(0) > 0).any(axis=1)].reset_index()
    if w.empty:
        return []
    texts = []
    for nat, prov in zip(w["级别:国家级"], w["级别:省级"], strict=False):
        parts = [(lv, _f("publicity_items", v)) for lv, v in (("国家级", nat), ("省级", prov)) if pd.notna(v) and v > 0]
        if media is not None:
            head = f"在{parts[0][0]}媒体刊发宣传报道{parts[0][1]}"
            texts.append(head + "".join(f"、{lv}媒体{n}" for lv, n in parts[1:]) + "。")
        else:  # levels without forms: a 横幅 may be among them, so no "媒体"
            texts.append("在" + "、".join(f"{lv}层面宣传报道{n}" for lv, n in parts) + "。")
    d = w.assign(indicator="publicity_items", value=w[["级别:国家级", "级别:省级"]].fillna(0).sum(axis=1))
    return [
        _rows(
            d,
            "highlight",
            "publicity_high",
            65 + np.where(w["级别:国家级"].fillna(0) > 0, 5, 0),
            ["省级以上媒体宣传" if media is not None else "省级以上宣传"] * len(d),
            texts,
        )
    ]


#: the columns of a breaches table as the highlights read it
BREACH_COLUMNS = [
    *("unit", "year", "rule", "title", "kind", "indicator"),
    *("limit", "scope", "reasons", "source", "message"),
]


def breaches_to_frame(standards_breaches) -> pd.DataFrame:
    """Accept :func:`gonghui_kit.analysis.standards.breaches_frame` output or a list of
    standard findings (``code`` ``standard:…``); return a frame with at least
    ``unit, year, rule, title, kind, indicator, message``."""
    if standards_breaches is None:
        return pd.DataFrame(columns=BREACH_COLUMNS)
    if isinstance(standards_breaches, pd.DataFrame):
        return standards_breaches
    rows = []
    for f in standards_breaches:
        if not isinstance(f, Finding) or not f.code.startswith("standard:"):
            continue
        rows.append(
            {
                "unit": f.unit,
                "year": f.year,
                "rule": f.code.split(":", 1)[1],
                "title": "",
                "kind": "",
                "indicator": None,
                "limit": np.nan,
                "scope": "",
                "reasons": "",
                "source": "",
                "message": f.message,
            }
        )
    return pd.DataFrame(rows, columns=BREACH_COLUMNS)


def _breach_rule(b: pd.DataFrame) -> list[pd.DataFrame]:
    if b.empty:
        return []
    from gonghui_kit.analysis.standards import describe_limit

    g = b.groupby(["unit", "year", "rule"], sort=False)
    d = g.agg(
        n=("rule", "size"),
        title=("title", "first"),
        kind=("kind", "first"),
        indicator=("indicator", "first"),
        limit=("limit", "first"),
        scope=("scope", "first"),
        reasons=("reasons", "first"),
        source=("source", "first"),
        message=("message", "first"),
        actual=("actual", "first") if "actual" in b else ("limit", "first"),
    ).reset_index()
    titles, texts = [], []
    for r in d.itertuples(index=False):
        title = r.title or "不符合经费使用标准"
        lim = (
            describe_limit(
                r.kind,
                r.limit,
                indicator=r.indicator if isinstance(r.indicator, str) else None,
                scope=r.scope or "person",
                reasons=r.reasons or "",
            )
            if r.kind
            else ""
        )
        src = f"，依据{r.source}" if isinstance(r.source, str) and r.source else ""
        if r.kind in ("min_indicator", "max_indicator") and isinstance(r.indicator, str):
            text = f"{_label(r.indicator)}{_f(r.indicator, r.actual)}，未达到“{title}”（{lim}{src}）。"
        elif r.kind:
            text = f"慰问帮扶中有{int(r.n)}处不符合“{title}”（{lim}{src}）。"
        else:
            text = str(r.message)
        titles.append(title)
        texts.append(text)
    d["value"] = d["actual"].astype("float64")
    d["indicator"] = d["indicator"].where(d["indicator"].notna(), None)
    return [_rows(d, "shortcoming", ("standard:" + d["rule"]).tolist(), 95 + np.minimum(d["n"], 5), titles, texts)]


# --------------------------------------------------------------------------


def highlights(
    ind: pd.DataFrame, registry=None, standards_breaches=None, tables=None, *, year: int | None = None
) -> pd.DataFrame:
    """Highlights and shortcomings of every unit and year (see module doc).

    ``standards_breaches``: :func:`gonghui_kit.analysis.standards.breaches_frame` (or
    the findings of ``check_standards``); ``tables``: the ledger's tables, used
    only to name collective 省部级/国家级 honours.  ``year`` restricts the
    result (the previous year is still used for the comparison).
    Sorted by unit, year, kind (highlights first) and score.
    """
    tables = getattr(tables, "tables", tables)
    if year is not None:
        ind = ind[ind["year"].isin([year, year - 1])]
    if ind.empty:
        return _empty()
    meta = pd.DataFrame(
        {
            "indicator": [i.key for i in INDICATORS],
            "kind": [i.kind for i in INDICATORS],
            "higher_is_better": pd.Series([i.higher_is_better for i in INDICATORS], dtype=object),
            "key_indicator": [i.key_indicator for i in INDICATORS],
        }
    )
    y = yoy(ind)
    tot = y[y["category"] == ""].merge(meta, on="indicator", how="inner")
    rk = ranks(ind, registry)[["unit", "year", "indicator", "peer_group", "rank", "n", "peer_median"]]
    tot = tot.merge(rk, on=["unit", "year", "indicator"], how="left")
    w = tot.pivot_table(index=["unit", "year"], columns="indicator", values="value", aggfunc="first", dropna=False)
    b = breaches_to_frame(standards_breaches)
    if len(b):
        b = b.assign(year=b["year"].astype("int64"))
    parts: list[pd.DataFrame] = []
    parts += _yoy_rules(tot, y)
    parts += _peer_rules(tot)
    parts += _award_rules(ind, tables)
    parts += _proposal_rules(w)
    parts += _new_kinds_rule(y)
    parts += _publicity_rule(ind, tables)
    parts += _membership_rule(w, b)
    parts += _breach_rule(b)
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    out["year"] = out["year"].astype("int64")
    # fill peer median and rank where the rule did not set them
    look = tot.set_index(["unit", "year", "indicator"])[["peer_median", "rank", "prev_value"]]
    keys = pd.MultiIndex.from_arrays([out["unit"], out["year"], out["indicator"].fillna("")])
    got = look.reindex(keys)
    for c in ("peer_median", "prev_value"):
        out[c] = out[c].astype("float64").fillna(pd.Series(got[c].to_numpy(dtype="float64"), index=out.index))
    out["rank"] = pd.array(
        [
            None if pd.isna(r) else int(r)
            for r in np.where(
                pd.isna(out["rank"]),
                got["rank"].to_numpy(dtype="float64", na_value=np.nan),
                pd.to_numeric(out["rank"], errors="coerce"),
            )
        ],
        dtype="Int64",
    )
    if year is not None:
        out = out[out["year"] == year]
    out["_k"] = (out["kind"] != "highlight").astype(int)
    out = out.sort_values(["unit", "year", "_k", "score"], ascending=[True, True, True, False], kind="stable")
    return out.drop(columns="_k")[COLUMNS].reset_index(drop=True)


def top(
    hl: pd.DataFrame, n: int = 3, kind: str | None = None, *, unit: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """The ``n`` best-scored rows per unit, year and kind, one per indicator.

    >>> hl = pd.DataFrame({"unit": "甲", "year": 2023, "kind": "highlight", "code": ["a", "b", "c"],
    ...     "score": [60.0, 90.0, 70.0], "indicator": ["x", "x", "y"]})
    >>> top(hl, 2)["code"].tolist()
    ['b', 'c']
    """
    d = hl
    if kind is not None:
        d = d[d["kind"] == kind]
    if unit is not None:
        d = d[d["unit"] == unit]
    if year is not None:
        d = d[d["year"] == year]
    d = d.sort_values("score", ascending=False, kind="stable")
    ind_key = d["indicator"].astype(object).where(d["indicator"].notna(), d["code"])
    d = d[~pd.DataFrame({"u": d["unit"], "y": d["year"], "k": d["kind"], "i": ind_key}).duplicated()]
    d = d.groupby(["unit", "year", "kind"], sort=False).head(n)
    return d.sort_values(
        ["unit", "year", "kind", "score"], ascending=[True, True, True, False], kind="stable"
    ).reset_index(drop=True)
