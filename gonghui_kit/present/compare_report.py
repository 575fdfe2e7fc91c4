"""The comparison page: units side by side (``compare_report.ipynb``).

Like :mod:`gonghui_kit.present.report`, every method returns an escaped
``IPython.display.HTML`` fragment; :func:`compare_report` opens the year bundle.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from gonghui_kit.analysis.bundle import Bundle
from gonghui_kit.analysis.indicators import BY_KEY, INDICATORS
from gonghui_kit.archive import layout
from gonghui_kit.present.fmt import (
    MISSING,
    fmt_indicator,
    fmt_int,
    fmt_number,
    fmt_time,
)
from gonghui_kit.present.fmt import (
    html_text as _e,
)
from gonghui_kit.present.htmlparts import display_html, html_table
from gonghui_kit.present.opening import open_bundle, unit_slugs

__all__ = ["CompareReport", "compare_report", "PER_CAPITA"]

# per-capita and rate indicators compared in the rank heatmap
PER_CAPITA = (
    "membership_rate",
    "participation_per_member",
    "activity_expense_per_member",
    "training_hours_per_member",
    "proposal_close_rate",
    "expense_ratio",
)


@dataclass
class CompareReport:
    b: Bundle
    year: int
    units: list[str]

    @property
    def registry(self):
        return self.b.extra.get("registry")

    def header(self):
        here = layout.compare_page(self.year)

        def to(place: str) -> str:
            return _e(layout.link(here, place))

        nav = (
            "<nav class='gh-nav' aria-label='位置'><span class='gh-crumbs'>"
            f"<a href='{to(layout.ROOT_INDEX)}'>报告档案</a><span class='gh-sep'>›</span>"
            f"<a href='{to(layout.year_index(self.year))}'>{self.year}年度</a><span class='gh-sep'>›</span>"
            "<span aria-current='page'>各单位对比</span></span>"
            f"<span class='gh-links'><a href='{to(layout.quality_page(self.year))}'>数据质量</a> · "
            f"<a href='{to(layout.indicators_xlsx(self.year))}'>指标表（Excel）</a></span></nav>"
        )
        return display_html(
            nav + f"<header class='report-head'><h1>{self.year}年度各单位工会工作对比</h1>"
            f"<p class='gh-muted'>共 {len(self.units)} 个单位 · 生成时间：{_e(fmt_time(self.b.built_at))}</p></header>"
        )

    def _unit_links(self, units: Sequence[str]) -> list[str | None]:
        slugs = unit_slugs(self.b)
        here = layout.compare_page(self.year)
        return [layout.link(here, layout.unit_page(self.year, slugs[u])) if u in slugs else None for u in units]

    def _link_of(self) -> dict[str, str | None]:
        """Each compared unit's report URL (None: no report), for the charts."""
        return dict(zip(self.units, self._unit_links(self.units), strict=False))

    def key_frame(self) -> pd.DataFrame:
        keys = [i.key for i in INDICATORS if i.key_indicator]
        i = self.b.ind
        d = i[(i["year"] == self.year) & (i["category"] == "") & i["unit"].isin(self.units) & i["indicator"].isin(keys)]
        w = d.pivot_table(index="unit", columns="indicator", values="value", aggfunc="first").reindex(
            index=self.units, columns=keys
        )
        return w

    def key_table(self):
        w = self.key_frame()
        grp = self.b.units.set_index("unit")["peer_group"] if len(self.b.units) else pd.Series(dtype=object)
        t = pd.DataFrame({"单位": w.index, "类别": [grp.get(u, "未分组") for u in w.index]})
        for k in w.columns:
            t[BY_KEY[k].label] = [fmt_indicator(k, v) for v in w[k]]
        numeric = [BY_KEY[k].label for k in w.columns]
        raw = {BY_KEY[k].label: w[k].tolist() for k in w.columns}
        return display_html(
            "<div class='table-tools'><span class='gh-muted'>点击表头可排序。</span> "
            "<label>筛选单位：<input type='search' data-filter='compare-key' placeholder='输入单位名称'></label></div>"
            + html_table(
                t,
                table_id="compare-key",
                sortable=True,
                numeric=numeric,
                values=raw,
                links={"单位": self._unit_links(list(w.index))},
            )
        )

    def rank_frame(self) -> pd.DataFrame:
        r = self.b.ranks
        r = r[(r["year"] == self.year) & r["unit"].isin(self.units) & r["indicator"].isin(PER_CAPITA)]
        return r.assign(label=r["indicator"].map(lambda k: BY_KEY[k].label))[
            ["unit", "indicator", "label", "rank_overall", "value"]
        ]

    def rank_heatmap(self):
        """Per-capita ranks as an HTML heatmap (:mod:`gonghui_kit.present.htmlcharts`):
        every unit readable at any count, sortable by each indicator."""
        from gonghui_kit.present import htmlcharts

        r = self.rank_frame().assign(rank=lambda d: d["rank_overall"].astype("float64"))
        return display_html(
            htmlcharts.heatmap(
                r,
                x="label",
                y="unit",
                value="rank",
                title="颜色越深排名越靠前（1 为最好）；点击表头可按该项排序",
                fmt=fmt_int,
                links=self._link_of(),
                table_id="compare-ranks",
            )
        )

    def bars(
        self,
        keys: Sequence[str] = (
            "membership_rate",
            "participation_per_member",
            "activities",
            "care_visits",
            "proposal_close_rate",
            "training_hours_per_member",
        ),
    ):
        """A sorted bar chart per key indicator, units without a value left
        out, the median as a dashed line (HTML:
        :func:`gonghui_kit.present.htmlcharts.barh`)."""
        from gonghui_kit.present import htmlcharts

        w = self.key_frame()
        links = self._link_of()
        parts = []
        for k in keys:
            if k not in w.columns:
                continue
            d = pd.DataFrame({"unit": w.index, "value": w[k].to_numpy(dtype="float64")}).dropna()
            med = float(d["value"].median()) if len(d) else None
            f = functools.partial(fmt_number, k)
            parts.append(
                htmlcharts.barh(
                    d,
                    x="value",
                    y="unit",
                    title=f"{BY_KEY[k].label}（由高到低）",
                    fmt=f,
                    ref=med,
                    links=links,
                    css=not parts,
                )
            )
        return display_html("".join(parts))

    def strengths_frame(self) -> pd.DataFrame:
        """Each unit's strongest and weakest indicator by overall rank share."""
        r = self.b.ranks
        r = r[(r["year"] == self.year) & r["unit"].isin(self.units) & r["rank_overall"].notna() & (r["n_overall"] >= 3)]
        if r.empty:
            return pd.DataFrame(columns=["unit", "best", "worst"])
        r = r.assign(pos=(r["rank_overall"].astype("float64") - 1) / (r["n_overall"] - 1).clip(lower=1))

        def two(ascending: bool) -> pd.Series:
            # a unit's two best (or worst) rows, ties in table order -- as nsmallest/nlargest keep them
            top = r.sort_values("pos", ascending=ascending, kind="stable").groupby("unit", sort=False).head(2)
            text = [
                f"{BY_KEY[k].label}（第{int(x)}名，{fmt_indicator(k, v)}）"
                for k, x, v in zip(top["indicator"], top["rank_overall"], top["value"], strict=False)
            ]
            return pd.Series(text, index=top["unit"].to_numpy()).groupby(level=0, sort=False).agg("；".join)

        return (
            pd.DataFrame({"best": two(True), "worst": two(False)}).reindex(self.units).rename_axis("unit").reset_index()
        )

    def strengths(self):
        s = self.strengths_frame().fillna(MISSING)
        t = pd.DataFrame({"单位": s["unit"], "最强项": s["best"], "最弱项": s["worst"]})
        return display_html(
            html_table(
                t, table_id="compare-strengths", sortable=True, links={"单位": self._unit_links(list(s["unit"]))}
            )
        )


def compare_report(
    *, year: int, units: list[str] | None = None, data: str = "", bundle: str = "", params: str = ""
) -> CompareReport:
    b = open_bundle(year=year, data=data, bundle=bundle, params=params)
    names = [u for u in (units or b.unit_names) if u in b.unit_names] or b.unit_names
    return CompareReport(b, year, names)
