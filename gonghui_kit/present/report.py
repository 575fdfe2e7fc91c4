"""What the report notebooks show, computed here (and tested), not in them.

The notebooks stay thin: they open a view and display its parts::

    r = report.unit_report(unit=unit, year=year, data=data, bundle=bundle)
    display(r.header()); display(r.kpi_cards()); r.chart_activities()

Every method returns either an ``IPython.display.HTML`` fragment built with
autoescaping (no text from a ledger can become markup) or draws a figure with
:mod:`gonghui_kit.present.charts` (the notebook's inline backend shows it).  Numbers
come from the year bundle (:mod:`gonghui_kit.analysis.bundle`); nothing is computed in
a notebook.

The comparison page lives in :mod:`gonghui_kit.present.compare_report`, the
generic HTML helpers in :mod:`gonghui_kit.present.htmlparts` and opening the
data in :mod:`gonghui_kit.present.opening`; ``compare_report``,
``CompareReport``, ``html_table``, ``md_to_html`` and ``open_bundle`` are
re-exported here, so ``report.compare_report(...)`` etc. keep working.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from gonghui_kit.analysis.bundle import AGE_GROUPS, Bundle
from gonghui_kit.analysis.indicators import BY_KEY
from gonghui_kit.archive import layout
from gonghui_kit.archive.manifest import read_manifest
from gonghui_kit.present.compare_report import (
    PER_CAPITA,  # noqa: F401 - re-exported as report.PER_CAPITA
    CompareReport,
    compare_report,
)
from gonghui_kit.present.fmt import (
    MISSING,
    fmt_count,
    fmt_indicator,
    fmt_int,
    fmt_pct,
    fmt_signed_pct,
    fmt_time,
)
from gonghui_kit.present.fmt import (
    html_text as _e,
)
from gonghui_kit.present.htmlparts import display_html, html_table, md_to_html, show_figures
from gonghui_kit.present.opening import open_bundle, unit_slugs

__all__ = [
    "unit_report",
    "compare_report",
    "rehearse",
    "other_year_pages",
    "UNIT_SECTIONS",
    "UnitReport",
    "CompareReport",
    "open_bundle",
    "html_table",
    "md_to_html",
    "KPI",
]


# the indicators on a unit's KPI cards, in order
KPI = (
    "members_total",
    "membership_rate",
    "activities",
    "activity_participants",
    "participation_per_member",
    "care_visits",
    "care_amount",
    "proposal_close_rate",
    "training_hours_per_member",
    "expense_ratio",
)
TREND = ("members_total", "activities", "activity_participants", "care_visits")

# the display hooks the unit report calls; rehearse (and the benchmarks)
# rebind these module globals to capture output instead of showing it
_display_html = display_html
_show = show_figures


# --------------------------------------------------------------------------
# one unit


def _archive_year_dir(b: Bundle) -> Path | None:
    """``reports/<year>`` when ``gonghui build`` made the bundle, else None."""
    d = b.extra.get("archive_dir")
    return Path(d) if d else None


def other_year_pages(b: Bundle, unit: str, years: Sequence[int]) -> list[tuple[int, str]]:
    """(year, slug) of the unit's reports in other years.  Inside an archive
    only pages that exist (listed as built in that year's manifest); a
    notebook run on its own guesses the file name."""
    year_dir = _archive_year_dir(b)
    if year_dir is None:
        return [(y, layout.slugify(unit)) for y in years]
    root = year_dir.parent
    out = []
    for y in years:
        st = read_manifest(layout.year_dir(root, y)).get("units", {}).get(unit) or {}
        slug = st.get("slug")
        if slug and st.get("status") == "ok" and layout.at(root, layout.unit_page(y, slug)).exists():
            out.append((y, slug))
    return out


@dataclass
class UnitReport:
    b: Bundle
    unit: str
    year: int

    # -- data ----------------------------------------------------------------
    @functools.cached_property
    def _mine(self) -> pd.DataFrame:
        """This unit's indicator rows, every year: the bundle's table is
        scanned once per report, not once per number (with 1,000 units a
        scan is ~200,000 rows)."""
        i = self.b.ind
        return i[i["unit"] == self.unit]

    def _ind(self, year: int | None = None) -> pd.DataFrame:
        i = self._mine
        return i[i["year"] == (year or self.year)]

    def value(self, key: str, category: str = "", year: int | None = None) -> float:
        d = self._ind(year)
        s = d[(d["indicator"] == key) & (d["category"] == category)]["value"]
        return float(s.iloc[0]) if len(s) else float("nan")

    def split(self, key: str, prefix: str = "") -> pd.DataFrame:
        d = self._ind()
        d = d[(d["indicator"] == key) & (d["category"] != "")]
        if prefix:
            d = d[d["category"].str.startswith(prefix)].assign(category=lambda x: x["category"].str[len(prefix) :])
        return d[["category", "value"]].reset_index(drop=True)

    @property
    def peer_group(self) -> str:
        u = self.b.units.set_index("unit")
        return str(u["peer_group"].get(self.unit, "未分组")) if len(u) else "未分组"

    @property
    def registry(self):
        return self.b.extra.get("registry")

    # -- parts ---------------------------------------------------------------
    def other_years(self) -> list[int]:
        """Years (other than this one) in which the unit has a report."""
        i = self._mine
        return sorted(int(y) for y in i[i["year"] != self.year]["year"].unique())

    def nav_html(self) -> str:
        """Breadcrumbs and links to the comparison, the quality report and the
        same unit's reports of other years, relative to
        ``reports/<year>/units/<slug>.html``.  Inside an archive a link to
        another year is made only when that year lists the unit's page."""
        here = layout.unit_page(self.year, unit_slugs(self.b).get(self.unit) or layout.slugify(self.unit))

        def to(place: str) -> str:
            return _e(layout.link(here, place))

        pages = other_year_pages(self.b, self.unit, self.other_years())
        years = " · ".join(f"<a href='{to(layout.unit_page(y, s))}'>{y}年</a>" for y, s in pages)
        return (
            "<nav class='gh-nav' aria-label='位置'><span class='gh-crumbs'>"
            f"<a href='{to(layout.ROOT_INDEX)}'>报告档案</a><span class='gh-sep'>›</span>"
            f"<a href='{to(layout.year_index(self.year))}'>{self.year}年度</a>"
            f"<span class='gh-sep'>›</span><span aria-current='page'>{_e(self.unit)}</span></span>"
            f"<span class='gh-links'><a href='{to(layout.compare_page(self.year))}'>各单位对比</a> · "
            f"<a href='{to(layout.quality_page(self.year))}'>数据质量</a></span>"
            + (f"<span class='gh-links'>本单位其他年度：{years}</span>" if years else "")
            + "</nav>"
        )

    def header(self):
        files = self.b.unit_files(self.unit)
        srcs = "".join(
            f"<li>{int(r.year)}年度：{_e(r.file)} "
            f"<span class='gh-muted'>（SHA-256 {_e(str(r.sha256)[:12])}…）</span></li>"
            for r in files.sort_values("year").itertuples()
        )
        n_out = getattr(self.b, "incomplete", {}).get(self.unit, 0)
        warn = (
            f"<div class='gh-warn' role='alert'>数据不完整：台账中有 {n_out} 处内容未能识别、未计入统计，"
            "本报告的数字可能偏小。详见附录“数据质量”和年度数据质量报告。</div>"
            if n_out
            else ""
        )
        return _display_html(
            self.nav_html() + f"<header class='report-head'><h1>{_e(self.unit)} {self.year}年度工会工作报告</h1>"
            f"<p class='gh-muted'>同类单位：{_e(self.peer_group)} · 生成时间：{_e(fmt_time(self.b.built_at))}</p>"
            f"<details><summary>数据来源（{len(files)} 个台账文件）</summary><ul>{srcs}</ul></details></header>" + warn
        )

    def kpi_frame(self) -> pd.DataFrame:
        """key indicators with last year's value and the change (tested)."""
        rows = []
        for k in KPI:
            v, p = self.value(k), self.value(k, year=self.year - 1)
            change = (v - p) / abs(p) if (not np.isnan(v) and not np.isnan(p) and p != 0) else float("nan")
            hib = BY_KEY[k].higher_is_better
            if np.isnan(change) or abs(change) < 0.005:
                trend = "flat"
            else:
                trend = "up" if change > 0 else "down"
            good = None if (hib is None or trend == "flat") else ((trend == "up") == hib)
            rows.append(
                dict(indicator=k, label=BY_KEY[k].label, value=v, prev=p, change=change, trend=trend, good=good)
            )
        return pd.DataFrame(rows)

    def kpi_cards(self):
        arrows = {"up": "▲", "down": "▼", "flat": "—"}
        cards = []
        for r in self.kpi_frame().itertuples():
            if np.isnan(r.prev):
                yoy, cls = "上年无数据", ""
            elif r.trend == "flat":
                yoy, cls = "与上年持平", ""
            elif np.isnan(r.change):
                yoy, cls = f"上年 {fmt_indicator(r.indicator, r.prev)}", ""
            else:
                yoy, cls = (
                    f"{arrows[r.trend]} 同比{fmt_signed_pct(r.change)}",
                    ("gh-up" if r.trend == "up" else "gh-down"),
                )
            cards.append(
                f"<div class='gh-card'><div class='gh-kpi-label'>{_e(r.label)}</div>"
                f"<div class='gh-kpi-value'>{_e(fmt_indicator(r.indicator, r.value))}</div>"
                f"<div class='gh-kpi-delta {cls}'>{_e(yoy)}</div></div>"
            )
        return _display_html(f"<div class='gh-cards'>{''.join(cards)}</div>")

    def highlights_frame(self) -> pd.DataFrame:
        h = self.b.highlights
        if h is None or h.empty:
            return pd.DataFrame(columns=["kind", "title", "text", "score"])
        return h[(h["unit"] == self.unit) & (h["year"] == self.year)].sort_values("score", ascending=False)

    def highlights(self, n: int = 6):
        h = self.highlights_frame()
        parts = []
        for kind, title in (("highlight", "工作亮点"), ("shortcoming", "短板与不足")):
            d = h[h["kind"] == kind].head(n)
            if d.empty:
                items = (
                    "<li class='gh-muted'>本年度数据中未发现"
                    + ("突出亮点" if kind == "highlight" else "明显短板")
                    + "。</li>"
                )
            else:
                items = "".join(f"<li><b>{_e(r.title)}</b>：{_e(r.text)}</li>" for r in d.itertuples())
            parts.append(f"<section class='hl {kind}'><h3>{title}</h3><ul>{items}</ul></section>")
        return _display_html(f"<div class='highlights'>{''.join(parts)}</div>")

    def summary_markdown(self) -> str:
        from gonghui_kit.analysis.narrative import draft_summary

        return draft_summary(
            self.unit,
            self.year,
            self.b.ind,
            highlights_df=self.b.highlights,
            breaches=self.b.breaches,
            registry=self.registry,
            tables=getattr(self.b, "named", None),
        )

    def summary_checklist(self) -> list[str]:
        from gonghui_kit.analysis.narrative import checklist, facts

        return checklist(
            facts(
                self.unit,
                self.year,
                self.b.ind,
                self.b.highlights,
                self.b.breaches,
                self.registry,
                getattr(self.b, "named", None),
            )
        )

    def summary(self):
        items = "".join(f"<li>{_e(x)}</li>" for x in self.summary_checklist())
        checks = (
            "<aside class='summary-checks'><h3>核查清单（供工会负责同志核查，不属于总结正文）</h3>"
            f"<ul>{items}</ul></aside>"
        )
        return _display_html(f"<article class='summary'>{md_to_html(self.summary_markdown())}</article>{checks}")

    # -- charts --------------------------------------------------------------
    def chart_activities(self):
        from gonghui_kit.present import charts

        fig, (a1, a2) = charts.grid(2, figsize=(11, 4.2), width_ratios=[1.25, 1])
        m = self.split("activities_by_month")
        charts.bar(
            m,
            x="category",
            y="value",
            order=charts.MONTHS,
            title="各月活动场次",
            xlabel="",
            ylabel="场次",
            ax=a1,
            xticklabels=[f"{i}月" for i in range(1, 13)],
            fmt=fmt_int,
        )
        k = self.split("activities")
        k = k[k["value"] > 0]
        charts.barh(k, x="value", y="category", title="各类活动场次", xlabel="场次", ylabel="", ax=a2, fmt=fmt_int)
        charts.align(a1, a2)
        _show(fig)

    def chart_spending(self):
        from gonghui_kit.analysis.compare import expense_structure
        from gonghui_kit.present import charts

        s = expense_structure(self.b.ind, self.unit, self.year, self.registry)
        s = s[s.groupby("account")["value"].transform(lambda v: v.fillna(0).abs().sum()) > 0]
        _show(
            charts.grouped_bar(
                s,
                x="account",
                y="share",
                hue="who",
                title="经费支出结构（占支出合计比例）与同类单位中位数",
                xlabel="",
                ylabel="占比",
                fmt=fmt_pct,
            ).figure
        )

    def chart_care(self):
        from gonghui_kit.present import charts

        c = self.split("care_visits")
        c = c[c["value"] > 0]
        _show(
            charts.donut(
                c, x="category", y="value", title="慰问人次（按事由）", fmt=fmt_int, center_label="慰问人次"
            ).figure
        )

    def chart_proposals(self):
        from gonghui_kit.present import charts

        p = self.b.proposal_status
        p = p[(p["unit"] == self.unit) & (p["year"] == self.year)]
        _show(
            charts.donut(p, x="status", y="count", title="职代会提案办理情况", fmt=fmt_int, center_label="提案").figure
        )

    def chart_members(self):
        from gonghui_kit.present import charts

        p = self.b.pyramid
        p = p[(p["unit"] == self.unit) & (p["year"] == self.year)]
        _show(
            charts.pyramid(
                p,
                age_group="age_group",
                gender="gender",
                value="count",
                order=list(AGE_GROUPS),
                title="会员年龄与性别结构（截至12月31日）",
                fmt=fmt_int,
            ).figure
        )

    def trend_frame(self) -> pd.DataFrame:
        i = self._mine
        d = i[(i["category"] == "") & i["indicator"].isin(TREND) & (i["year"] <= self.year)]
        return d.assign(label=d["indicator"].map(lambda k: BY_KEY[k].label))[["year", "indicator", "label", "value"]]

    def chart_trend(self):
        from gonghui_kit.present import charts

        d = self.trend_frame()
        fig, axes = charts.grid(len(TREND), figsize=(12, 3.4))
        for ax, key in zip(axes, TREND, strict=False):
            charts.line(
                d[d["indicator"] == key],
                x="year",
                y="value",
                title=BY_KEY[key].label,
                xlabel="",
                ylabel="",
                ax=ax,
                labels=True,
                fmt=fmt_int,
            )
        charts.align(*axes, same_width=True)
        _show(fig)

    # -- tables --------------------------------------------------------------
    def rank_frame(self) -> pd.DataFrame:
        r = self.b.ranks
        if r is None or r.empty:
            return pd.DataFrame()
        r = r[(r["unit"] == self.unit) & (r["year"] == self.year)]
        return r

    def ranks(self):
        r = self.rank_frame()
        if r.empty:
            return _display_html("<p class='gh-muted'>无可比较的指标。</p>")
        t = pd.DataFrame(
            {
                "指标": [BY_KEY[k].label for k in r["indicator"]],
                "本单位": [fmt_indicator(k, v) for k, v in zip(r["indicator"], r["value"], strict=False)],
                "同类排名": [
                    f"{int(a)}/{int(n)}" if pd.notna(a) else MISSING for a, n in zip(r["rank"], r["n"], strict=False)
                ],
                "同类中位数": [fmt_indicator(k, v) for k, v in zip(r["indicator"], r["peer_median"], strict=False)],
                "全部单位排名": [
                    f"{int(a)}/{int(n)}" if pd.notna(a) else MISSING
                    for a, n in zip(r["rank_overall"], r["n_overall"], strict=False)
                ],
            }
        )
        return _display_html(
            f"<p>同类单位（{_e(self.peer_group)}）共 {int(r['n'].max())} 个有数据。排名 1 为最好。</p>"
            + html_table(t, numeric=["本单位", "同类排名", "同类中位数", "全部单位排名"])
        )

    def breaches_frame(self) -> pd.DataFrame:
        b = self.b.breaches
        if b is None or b.empty:
            return pd.DataFrame()
        return b[(b["unit"] == self.unit) & (b["year"] == self.year)]

    def breaches_table(self) -> pd.DataFrame:
        """One row per breach, as people read it (tested)."""
        from gonghui_kit.analysis.standards import describe_limit

        b = self.breaches_frame()
        rows = []
        for r in b.itertuples():
            kind = getattr(r, "kind", "")
            if kind == "forbidden_form":
                actual = "以现金、购物卡或代金券发放"
            elif kind == "min_indicator" and getattr(r, "indicator", None):
                actual = fmt_indicator(r.indicator, r.actual)
            elif kind == "max_count_per_person_year":
                actual = fmt_count(r.actual, "次")
            else:
                actual = fmt_count(r.actual, "元", money=True)
            limit = describe_limit(
                kind,
                r.limit,
                indicator=getattr(r, "indicator", None),
                scope=getattr(r, "scope", "person"),
                reasons=getattr(r, "reasons", "") or "",
            )
            rows_ = r.rows if isinstance(r.rows, (list, tuple)) else ([r.rows] if pd.notna(r.rows) else [])
            where = f"{r.sheet} 第{'、'.join(str(int(x)) for x in rows_)}行" if rows_ else "全年合计"
            rows.append({"标准": r.title, "要求": limit, "实际": actual, "台账位置": where, "依据": r.source})
        return pd.DataFrame(rows, columns=["标准", "要求", "实际", "台账位置", "依据"])

    def breaches(self):
        t = self.breaches_table()
        if t.empty:
            return _display_html("<p>未发现不符合经费使用标准的记录。</p>")
        note = (
            "<p class='gh-muted'>标准数值为示例，请以本省总工会正式文件为准（见 params/standards.yaml）。</p>"
            if bool(self.breaches_frame().get("example", pd.Series(dtype=bool)).any())
            else ""
        )
        return _display_html(f"<p>共 {len(t)} 项不符合经费使用标准，请核实：</p>" + html_table(t) + note)

    def quality_frame(self) -> pd.DataFrame:
        f = self.b.findings
        f = f[(f["unit"] == self.unit)] if not f.empty else f
        if f.empty:
            return pd.DataFrame(columns=["severity", "message", "count"])
        return f.groupby(["severity", "message"], sort=False).size().rename("count").reset_index()

    def quality(self):
        q = self.b.quality
        q = q[q["unit"] == self.unit] if not q.empty else q
        f = self.quality_frame()
        sev = {"error": "错误", "warning": "警告", "info": "提示"}
        t = pd.DataFrame(
            {
                "级别": [sev.get(s, s) for s in f["severity"]],
                "问题与处理": f["message"],
                "处数": [fmt_int(n) for n in f["count"]],
            }
        )
        if not q.empty:
            head = (
                f"<p>读取 {fmt_int(q['rows'].sum())} 行，计入 {fmt_int(q['records'].sum())} 条记录；"
                f"排除合计/小计行 {fmt_int(q['subtotals'].sum())} 行、"
                f"重复行 {fmt_int(q['duplicates'].sum())} 行、非本年度记录 {fmt_int(q['other_year'].sum())} 行、"
                f"说明文字 {fmt_int(q['notes'].sum())} 行；"
                f"修正不规范写法 {fmt_int(q['fixed'].sum())} 处。行号等细节见年度数据质量报告。</p>"
            )
        else:
            head = "<p class='gh-muted'>无本单位的数据质量记录。</p>"
        return _display_html(head + (html_table(t, numeric=["处数"]) if len(t) else ""))


def unit_report(*, unit: str, year: int, data: str = "", bundle: str = "", params: str = "") -> UnitReport:
    b = open_bundle(year=year, data=data, bundle=bundle, params=params)
    if unit not in b.unit_names:
        raise ValueError(f"{year} 年度的台账中没有单位“{unit}”（可用：{'、'.join(b.unit_names)}）")
    return UnitReport(b, unit, year)


# the unit report's sections, in the order unit_report.ipynb shows them
UNIT_SECTIONS = (
    "header",
    "kpi_cards",
    "highlights",
    "summary",
    "chart_activities",
    "chart_spending",
    "chart_care",
    "chart_proposals",
    "chart_members",
    "chart_trend",
    "ranks",
    "breaches",
    "quality",
)


def rehearse(*, bundle: str, unit: str, year: int) -> None:
    """Draw one unit's report once, in this process, and throw it away.

    A warm parent does this before forking its report children: the lazily
    filled caches every report needs (font glyphs and text metrics, pandas'
    and matplotlib's first-use set-up, compiled templates) are then filled
    once instead of once per child -- about 30-70 ms a report.  Nothing
    unit-specific is kept: outputs go nowhere, figures are closed and
    rcParams restored; the children start from the same state whichever
    unit was rehearsed.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from gonghui_kit.present.charts import figure_to_png

    global _display_html, _show
    saved = _display_html, _show
    _display_html = str
    _show = lambda *figs: [figure_to_png(f) for f in figs]
    try:
        with mpl.rc_context():
            r = unit_report(unit=unit, year=year, bundle=bundle)
            for name in UNIT_SECTIONS:
                getattr(r, name)()
    finally:
        _display_html, _show = saved
        plt.close("all")
