"""HTML charts of the comparison page: order, geometry, labels, escaping, scale."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from gonghui_kit.present import htmlcharts as H
from gonghui_kit.present.fmt import fmt_int, fmt_pct
from gonghui_kit.present.style import GREY, NAVY, RANK_COLORS, UNION_RED

UNITS = [
    "市总工会机关",
    "第一人民医院工会",
    "城投集团工会委员会",
    "公交公司工会",
    "高新区某某电子科技有限公司联合工会委员会",
]


class _Rows(HTMLParser):
    """Rows of the first table: (row attributes, [(cell tag, attrs, text)])."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append((dict(attrs), []))
        elif tag in ("td", "th") and self.rows:
            self._cell = [tag, dict(attrs), "", []]
            self.rows[-1][1].append(self._cell)
        elif tag == "span" and self._cell is not None:
            self._cell[3].append(dict(attrs))
        elif tag == "a" and self._cell is not None:
            self._cell[1]["href"] = dict(attrs)["href"]

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data


def _rows(page: str):
    p = _Rows()
    p.feed(page)
    return p.rows


def _style(attrs: dict) -> dict[str, str]:
    return dict(kv.split(":", 1) for kv in attrs.get("style", "").split(";") if kv)


# ------------------------------------------------------------------- barh ----


def test_barh_sorted_scaled_and_labelled():
    d = pd.DataFrame({"单位": UNITS, "人均": [900, 1500, 300, 1200, np.nan]})
    page = H.barh(d, x="人均", y="单位", title="人均支出", fmt=fmt_int)
    rows = _rows(page)
    names = [cells[0][2] for _, cells in rows]
    assert names == [
        "第一人民医院工会",
        "公交公司工会",
        "市总工会机关",
        "城投集团工会委员会",
        "高新区某某电子科技有限公司联合工会委员会",
    ]
    values = [cells[2][2] for _, cells in rows]
    assert values == ["1,500", "1,200", "900", "300", "—"]
    widths = [_style(cells[1][3][0])["width"] if cells[1][3] else None for _, cells in rows]
    assert widths == ["100.0%", "80.0%", "60.0%", "20.0%", None]  # the missing value has no bar
    assert all(_style(cells[1][3][0])["left"] == "0.0%" for _, cells in rows[:4])
    assert [cells[2][1].get("data-value") for _, cells in rows] == ["1500.0", "1200.0", "900.0", "300.0", None]
    assert "<figcaption>人均支出</figcaption>" in page


def test_barh_reference_line_and_rescaling():
    d = pd.DataFrame({"unit": ["甲", "乙"], "value": [2.0, 4.0]})
    page = H.barh(d, x="value", y="unit", ref=3.0, fmt=lambda v: f"{v:.1f}", ref_label="中位数")
    # one dashed line through every row (CSS, at the table's --ref), at 3 of 0..4
    assert re.search(r'<table class="gh-hbar gh-has-ref" style="--bar:[^;"]+;--ref:75.0%">', page)
    assert "中位数 3.0" in page
    # a reference beyond the largest bar widens the scale so the line stays inside
    page = H.barh(d, x="value", y="unit", ref=8.0)
    assert "--ref:100.0%" in page
    assert _style(_rows(page)[0][1][1][3][0])["width"] == "50.0%"  # 4 of 0..8
    assert "gh-has-ref" not in H.barh(d, x="value", y="unit", css=False)


def test_barh_negative_values_grow_from_zero():
    d = pd.DataFrame({"unit": ["增", "减"], "value": [0.3, -0.1]})
    rows = _rows(H.barh(d, x="value", y="unit", fmt=fmt_pct))
    bars = [_style(cells[1][3][0]) for _, cells in rows]
    assert [(b["left"], b["width"]) for b in bars] == [("25.0%", "75.0%"), ("0.0%", "25.0%")]


def test_barh_highlight_links_escaping_and_folding():
    names = [f"<单位{i}>" for i in range(70)]
    d = pd.DataFrame({"unit": names, "value": np.arange(70, dtype=float)})
    page = H.barh(d, x="value", y="unit", highlight="<单位3>", links={"<单位3>": "units/a&b.html"}, fold=60, css=False)
    assert "<单位" not in page  # every name escaped
    assert page.startswith('<details class="gh-hchart">') and "共 70 个单位" in page
    rows = _rows(page)
    hl = [r for r in rows if r[0].get("class") == "gh-hl"]
    assert len(hl) == 1 and hl[0][1][0][1]["href"] == "units/a&b.html" and hl[0][1][0][2] == "<单位3>"
    fills = {_style(cells[1][3][0])["background"] for a, cells in rows if a.get("class") == "gh-hl"}
    others = {_style(cells[1][3][0])["background"] for a, cells in rows if a.get("class") != "gh-hl" and cells[1][3]}
    assert fills == {UNION_RED} and others == {GREY}
    plain = H.barh(d.head(3), x="value", y="unit", css=False)
    assert (
        plain.startswith('<figure class="gh-hchart">')
        and f'style="--bar:{NAVY}"' in plain
        and "background" not in plain
    )


@pytest.mark.parametrize(
    "data", [pd.DataFrame(), pd.DataFrame({"unit": [], "value": []}), pd.DataFrame({"other": [1]})]
)
def test_empty_data_says_so(data):
    assert "无数据" in H.barh(data, x="value", y="unit", title="t")
    assert "无数据" in H.heatmap(data, x="k", y="unit", value="value", title="t")


# ---------------------------------------------------------------- heatmap ----


def _ranks(n_units: int = 4):
    rng = np.random.default_rng(3)
    rows = []
    for k in ("入会率", "人均参与次数", "办结率"):
        for u, r in zip(range(n_units), rng.permutation(n_units) + 1, strict=False):
            rows.append({"unit": f"单位{u}", "label": k, "rank": float(r)})
    return pd.DataFrame(rows)


def test_heatmap_rows_by_mean_rank_and_colours():
    d = _ranks()
    page = H.heatmap(d, x="label", y="unit", value="rank", fmt=fmt_int, table_id="ranks")
    rows = _rows(page)
    head, body = rows[0], rows[1:]
    assert [c[2] for c in head[1]] == ["单位", "入会率", "人均参与次数", "办结率"]
    means = d.groupby("unit")["rank"].mean().sort_values(kind="stable")
    assert [cells[0][2] for _, cells in body] == means.index.tolist()
    for _, cells in body:
        for c in cells[1:]:
            rank = float(c[1]["data-value"])
            assert c[2] == fmt_int(rank)
            # rank 1 darkest (the last colour), rank n lightest (the first)
            want = RANK_COLORS[-1] if rank == 1 else RANK_COLORS[0] if rank == 4 else None
            if want:
                assert _style(c[1])["background"] == want.lower()
    assert 'id="ranks"' in page and "sortable" in page


def test_heatmap_missing_cells_and_highlight():
    d = _ranks()
    d.loc[0, "rank"] = np.nan
    page = H.heatmap(d, x="label", y="unit", value="rank", highlight="单位1", links={"单位1": "units/1.html"})
    assert page.count('class="num gh-heat-na">—</td>') == 1
    rows = _rows(page)
    hl = [r for r in rows if r[0].get("class") == "gh-hl"]
    assert len(hl) == 1 and hl[0][1][0][1]["href"] == "units/1.html"


def test_every_chart_brings_its_style_once():
    """A chart looks the same in JupyterLab (no report.css there): its rules
    come with it, once, unless left out for a second chart of one output."""
    d = pd.DataFrame({"unit": ["甲", "乙"], "value": [1.0, 2.0]})
    for out in (H.barh(d, x="value", y="unit"), H.heatmap(_ranks(), x="label", y="unit", value="rank")):
        assert out.startswith("<style>.gh-hchart") and out.count("<style>") == 1
        assert "td.gh-track" in out and "table.gh-has-ref td.gh-track::after" in out
    assert "<style>" not in H.barh(d, x="value", y="unit", css=False)
    assert "<style>" not in H.barh(pd.DataFrame(), x="value", y="unit")  # the empty note needs none


def test_rank_color_scale_and_text_contrast():
    assert H.rank_color(0) == RANK_COLORS[0].lower() and H.rank_color(1) == RANK_COLORS[-1].lower()
    assert H.rank_color(0.5) == RANK_COLORS[2].lower()
    assert H.rank_color(-3) == H.rank_color(0) and H.rank_color(7) == H.rank_color(1)
    # white text on the deep end, dark text on the light end
    page = H.heatmap(_ranks(), x="label", y="unit", value="rank")
    assert re.search(r"background:#7a1212;color:#fff", page) and re.search(r"background:#fbf0ee;color:#333333", page)


def test_thousand_units_stay_small_and_complete():
    n = 1000
    d = pd.DataFrame({"unit": [f"第{i}分工会" for i in range(n)], "value": np.linspace(0, 1, n)})
    page = H.barh(d, x="value", y="unit", fmt=fmt_pct, ref=0.5, css=False)
    assert len(_rows(page)) == n and page.startswith("<details")
    assert len(page.encode()) < 400_000  # ~0.3 KB a unit, not megabytes of pixels


# ------------------------------------------------ the comparison's tables ----


def test_strengths_two_best_and_worst_ties_in_table_order():
    from types import SimpleNamespace

    from gonghui_kit.present.report import CompareReport

    rows = []
    for u, ranks in {"甲": [1, 1, 3, 5], "乙": [5, 4, 2, 1]}.items():
        for k, r in zip(["membership_rate", "activities", "care_visits", "proposal_close_rate"], ranks, strict=False):
            rows.append({"unit": u, "year": 2023, "indicator": k, "rank_overall": r, "n_overall": 5, "value": float(r)})
    rows.append(
        {"unit": "丙", "year": 2023, "indicator": "activities", "rank_overall": 1, "n_overall": 2, "value": 1.0}
    )  # too few to rank
    c = CompareReport(SimpleNamespace(ranks=pd.DataFrame(rows)), 2023, ["乙", "甲", "丙"])
    s = c.strengths_frame()
    assert s["unit"].tolist() == ["乙", "甲", "丙"]
    assert s.loc[1, "best"] == "入会率（第1名，100%）；活动场次（第1名，1场次）"
    assert s.loc[1, "worst"] == "办结率（第5名，500%）；慰问人次（第3名，3人次）"
    assert s.loc[0, "best"].startswith("办结率（第1名") and s.loc[0, "worst"].startswith("入会率（第5名")
    assert s.loc[2, ["best", "worst"]].isna().all()
