"""The analysis API (gonghui_kit.api): same numbers as the CLI, real values, notebook display."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gonghui_kit as gh
from gonghui_kit import cli
from gonghui_kit.analysis.indicators import value_of
from gonghui_kit.analysis.units import UnitRegistry
from gonghui_kit.present.display import Table, Text

ROOT = Path(__file__).resolve().parents[1]
UNITS_YAML = ROOT / "params" / "units.yaml"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A working folder with data/2023, data/2024 and params/units.yaml (the CLI's default roster)."""
    from gonghui_kit.ledgers.sample import generate_sample

    base = tmp_path_factory.mktemp("api")
    generate_sample(base / "data", units=6, years=(2023, 2024), seed=3)
    (base / "params").mkdir()
    shutil.copy(UNITS_YAML, base / "params" / "units.yaml")
    return base


@pytest.fixture(scope="module")
def d(sample):
    return gh.load(sample / "data", roster=UNITS_YAML)


def _cli(args: list[str], cwd: Path, monkeypatch, capsys) -> str:
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    cli.main(args)
    return capsys.readouterr().out


def test_top_level_is_cheap_and_lazy():
    code = "import sys, gonghui_kit as gh; print('pandas' in sys.modules, 'gonghui_kit.api' in sys.modules, gh.__all__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("False False") and "'load'" in out and "'charts'" in out
    from gonghui_kit.present import charts

    assert gh.charts is charts and gh.load is __import__("gonghui_kit.api").api.load
    assert {"load", "Dataset", "charts"} <= set(dir(gh))


def test_indicators_equal_cli_output(sample, monkeypatch, capsys):
    """d.indicators is what `gonghui indicators` writes, with the same default roster (params/units.yaml)."""
    out = _cli(["indicators", "data/2023", "data/2024"], sample, monkeypatch, capsys)
    expected = pd.read_csv(io.StringIO(out), dtype={"category": str}, keep_default_na=False, na_values={"value": [""]})
    d = gh.load("data/2023", "data/2024")  # roster=None: params/units.yaml of the working folder, as the CLI
    got = d.indicators.plain()
    assert got["unit"].nunique() == 6 and len(got) > 500
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


def test_findings_equal_cli_json(sample, monkeypatch, capsys):
    out = _cli(["check", "data", "--format", "json"], sample, monkeypatch, capsys)
    expected = json.loads(out)
    d = gh.load("data")
    f = d.findings.plain()
    keys = list(expected[0])
    assert set(keys) <= set(f.columns) and len(expected) > 100
    got = [
        {k: (None if pd.isna(v) else (int(v) if k in ("row", "year") else v)) for k, v in zip(keys, row, strict=False)}
        for row in f[keys].itertuples(index=False)
    ]
    assert got == expected


def test_units_years_and_card(d):
    assert d.years == [2023, 2024]
    assert "动力分厂分工会" in d.units and "动力车间分工会" not in d.units  # the roster's canonical name
    html = d._repr_html_()
    n_warn = int((d.findings["severity"] == "warning").sum())
    assert "6 个单位" in html and "2023–2024" in html and f"警告 {n_warn:,}" in html
    members = value_of(d.indicators, "机修分工会", 2024, "members_total")
    assert f"会员 {int(members):,}人" in html
    records = d.ledger.tables["activities"].pipe(lambda a: ((a["unit"] == "机修分工会") & (a["year"] == 2024)).sum())
    assert records > 0 and "条记录" in html
    assert "6 个单位" in repr(d)


def test_wide_values_and_labels(d):
    ind = d.indicators
    w = d.wide(year=2024, indicators=["activities", "care_amount"])
    assert isinstance(w, pd.DataFrame) and list(w.columns) == ["活动场次", "慰问金额"] and w.index.name == "单位"
    for u in d.units:
        assert w.loc[u, "活动场次"] == value_of(ind, u, 2024, "activities")
        assert w.loc[u, "慰问金额"] == value_of(ind, u, 2024, "care_amount")
    shown = w.display_frame()
    amount = w.loc["机修分工会", "慰问金额"]
    from gonghui_kit.present.fmt import fmt_indicator

    assert shown.loc["机修分工会", "慰问金额"] == fmt_indicator("care_amount", amount)
    assert shown.loc["机修分工会", "活动场次"].endswith("场次")
    s = d.wide(year=2024, indicators=["activity_expense_per_member"], sort="activity_expense_per_member")
    assert s.iloc[:, 0].is_monotonic_decreasing
    allyears = d.wide()
    assert allyears.index.names == ["单位", "年度"] and len(allyears) == 12
    assert type(w.head(2)) is pd.DataFrame  # operations give plain pandas objects
    assert type(w.plain()) is pd.DataFrame


def test_compare_ranks_and_medians(d):
    units = ["机修分工会", "炼钢厂分工会", "动力车间分工会"]  # a former name is accepted
    c = d.compare(units=units, indicators=["activities", "membership_rate", "care_amount"], year=2024)
    ind = d.indicators
    tot = ind[(ind["year"] == 2024) & (ind["category"] == "") & (ind["indicator"] == "activities")]
    reg = UnitRegistry.from_yaml(UNITS_YAML)
    peers = tot[tot["unit"].map(reg.peer_group) == reg.peer_group("机修分工会")]
    mine = value_of(ind, "机修分工会", 2024, "activities")
    assert c.loc["活动场次", ("机修分工会", "数值")] == mine
    assert c.loc["活动场次", ("机修分工会", "同类排名")] == int((peers["value"] > mine).sum()) + 1
    assert c.loc["活动场次", ("机修分工会", "同类中位数")] == peers["value"].median()
    assert c.loc["活动场次", ("全部单位", "中位数")] == tot["value"].median()
    assert ("动力分厂分工会", "数值") in c.columns
    assert pd.isna(c.loc["慰问金额", ("机修分工会", "同类排名")])  # no better direction: no rank
    text = c.display_frame()
    assert text.loc["活动场次", ("机修分工会", "同类排名")].startswith("第")
    assert text.loc["入会率", ("机修分工会", "数值")].endswith("%")
    with pytest.raises(ValueError, match="没有单位"):
        d.compare(units=["不存在的工会"])


def test_trend_years_as_columns(d):
    t = d.trend("机修分工会", indicators=["activities", "care_visits"])
    assert list(t.columns) == [2023, 2024] and list(t.index) == ["活动场次", "慰问人次"]
    ind = d.indicators
    for y in (2023, 2024):
        assert t.loc["活动场次", y] == value_of(ind, "机修分工会", y, "activities")
    several = d.trend(["机修分工会", "炼钢厂分工会"], indicators=["activities"])
    assert several.index.names == ["单位", "指标"] and several.shape == (2, 2)
    sel = d.select(["机修分工会"], ["activities"])
    assert sel["value"].tolist() == t.loc["活动场次"].tolist() and set(sel["label"]) == {"活动场次"}


def test_highlights_and_summary_match_the_report(sample):
    from gonghui_kit.present import report

    d = gh.load(sample / "data", year=2024, roster=str(UNITS_YAML), bundle="")
    b = d.bundle
    r = d.unit_report("机修分工会")
    assert isinstance(r, report.UnitReport) and r.b is b
    assert d.summary("机修分工会", 2024) == r.summary_markdown()
    h = d.highlights("机修分工会", 2024)
    order = ["kind", "code", "indicator"]
    mine = h.plain().sort_values(order).reset_index(drop=True)
    theirs = r.highlights_frame().sort_values(order).reset_index(drop=True)
    assert len(mine) > 3
    pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)
    assert isinstance(d.summary("机修分工会", 2024), Text) and "机修分工会2024年度工作总结" in d.summary(
        "机修分工会", 2024
    )
    c = d.compare_report(["机修分工会", "不存在"])
    assert c.units == ["机修分工会"]
    # the same numbers as loading the files directly
    direct = gh.load(sample / "data" / "2023", sample / "data" / "2024", roster=UNITS_YAML)
    a = d.indicators.plain().sort_values(["unit", "year", "indicator", "category"]).reset_index(drop=True)
    e = direct.indicators.plain().sort_values(["unit", "year", "indicator", "category"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, e)


def test_loaded_dataset_highlights_and_summary(d):
    h = d.highlights("机修分工会", 2024, n=2)
    # "check": a change in how the ledger was filled, for the analyst (not a 亮点 or 短板)
    assert set(h["kind"]) <= {"highlight", "shortcoming", "check"} and h.groupby("kind").size().max() <= 2
    assert set(h.display_frame()["类型"]) <= {"亮点", "短板", "需核实"}
    s = d.summary("机修分工会", 2024)
    assert s._repr_markdown_().startswith("# 机修分工会2024年度工作总结") and "<h1>" in s._repr_html_()
    with pytest.raises(ValueError, match="年度数据包"):
        d.unit_report("机修分工会")


def test_tables_display_in_chinese_and_escape(d):
    html = d.indicators._repr_html_()
    assert "单位" in html and "数值" in html and "会员人数" in html and "共 " in html  # truncated with a note
    f = d.findings._repr_html_()
    assert "级别" in f and "说明" in f and ("提示" in f or "警告" in f)
    t = Table(pd.DataFrame({"unit": ["<script>x</script>"], "v": [1.0]}), spec={"key": {"v": "activities"}})
    assert "<script>" not in t._repr_html_() and "&lt;script&gt;" in t._repr_html_()
    q = d.quality()
    assert q["records"].sum() == sum(len(v) for k, v in d.ledger.tables.items() if k != "info")
    ff = d.findings_for(d.files["file"].iloc[0], severity="info")
    assert len(ff) and set(ff["severity"]) == {"info"} and ff["file"].nunique() == 1


def test_to_excel_and_errors(d, tmp_path):
    import openpyxl

    p = d.to_excel(tmp_path / "指标.xlsx", year=2024)
    assert len(openpyxl.load_workbook(p).sheetnames) > 2
    with pytest.raises(FileNotFoundError, match="找不到"):
        gh.load(tmp_path / "nope")
    with pytest.raises(ValueError, match="未知的指标"):
        d.wide(indicators=["nope"])
    with pytest.raises(ValueError, match="没有 1999 年度"):
        d.wide(year=1999)


@pytest.mark.slow
def test_explore_notebook_runs_on_sample_data(sample, tmp_path):
    import nbformat
    import papermill as pm

    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"),
        str(out),
        cwd=str(tmp_path),
        parameters={
            "data": str(sample / "data"),
            "year": 2024,
            "roster": str(UNITS_YAML),
            "out": str(tmp_path / "指标.xlsx"),
        },
        progress_bar=False,
    )
    nb = nbformat.read(str(out), as_version=4)
    html = [
        o["data"].get("text/html", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "data" in o
    ]
    assert any("6 个单位" in h for h in html)  # the card
    assert any("同类排名" in h for h in html)  # the comparison
    assert any(o.get("data", {}).get("image/png") for c in nb.cells for o in c.get("outputs", []))  # the chart
    assert (tmp_path / "指标.xlsx").exists() and (tmp_path / "单位对比.xlsx").exists()
    assert not any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
    source = nbformat.read(str(ROOT / "notebooks" / "explore.ipynb"), as_version=4)
    np.testing.assert_equal(len(nb.cells), len(source.cells) + 1)  # + papermill's injected parameters
