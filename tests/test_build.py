"""gonghui build: the yearly archive, incremental, isolated failures, params."""

from __future__ import annotations

import json
import multiprocessing as mp
import shutil

import nbformat
import pandas as pd
import pytest
from conftest import build_config

from gonghui_kit.archive import layout
from gonghui_kit.archive import manifest as archive
from gonghui_kit.build import BuildConfig, BuildError, build
from gonghui_kit.cli import main
from gonghui_kit.ledgers.sample import generate_sample
from gonghui_kit.resources import params_path

pytestmark = pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="these tests use the fork executor")

UNITS = 4


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    generate_sample(d, units=UNITS, years=(2022, 2023), seed=3)
    return d


def _cfg(data, out, **kw):
    return build_config(data, out, 2023, **kw)


@pytest.fixture(scope="module")
def built(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    res = build(_cfg(data_dir, out))
    return res, out


def test_year_index_shows_who_reported(built, data_dir):
    """Each unit's 报送情况 and the 填报日期 of the file used; roster units without a file are named."""
    import re

    from gonghui_kit.analysis.units import UnitRegistry
    from gonghui_kit.ingest.load import load_ledgers

    _, out = built
    index = (out / "2023" / "index.html").read_text(encoding="utf-8")
    assert '<th class="sortable">报送情况</th><th class="sortable">填报日期</th>' in index
    reg = UnitRegistry.from_yaml(params_path("units.yaml"))
    info = load_ledgers(data_dir / "2023", registry=reg).tables["info"]
    for unit, fill in zip(info["unit"], info["fill_date"], strict=True):
        row = re.search(rf">{re.escape(unit)}</a></td>.*?</tr>", index, re.S).group(0)
        assert ("无问题" in row or "有问题待改" in row) and pd.Timestamp(fill).strftime("%Y-%m-%d") in row
    missing = [u.name for u in reg.units if u.name not in set(info["unit"])]
    assert missing and f"名册中本年度未报送台账的单位（{len(missing)} 个）：{'、'.join(missing)}" in index


def test_all_outputs_present(built):
    res, out = built
    assert res.ok, res.failed
    y = out / "2023"
    for name in ("index.html", "compare.html", "quality.html", "indicators.xlsx", "manifest.json"):
        assert (y / name).is_file(), name
    assert (out / "index.html").is_file()
    units = sorted(p.stem for p in (y / "units").glob("*.html"))
    assert len(units) == UNITS
    assert len(list((y / "notebooks").glob("*.ipynb"))) == UNITS + 1
    index = (y / "index.html").read_text(encoding="utf-8")
    for u in units:
        assert f"units/{layout.href(u)}.html" in index
    page = (y / "units" / f"{units[0]}.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "<title>" in page
    assert "http://" not in page and "https://" not in page and "<script src" not in page
    assert "工作总结（初稿）" in page and "data:image/png;base64," in page
    assert not list(y.rglob(".*.part*"))


def test_compare_page_charts_are_html(built):
    """The comparison's rank heatmap and sorted bars are HTML: every unit by
    name, linked to its report, with the values of the key-indicator table."""
    import re

    from gonghui_kit.analysis.bundle import load_bundle
    from gonghui_kit.present.report import CompareReport

    res, out = built
    y = out / "2023"
    page = (y / "compare.html").read_text(encoding="utf-8")
    assert "<img" not in page
    units = res.built
    heat = page[page.index('id="compare-ranks"') :]
    heat = heat[: heat.index("</table>")]
    for u in units:
        assert f'<a href="units/{layout.href(layout.unique_slugs(units)[u])}.html">{u}</a>' in heat
    bars = re.findall(r'<table class="gh-hbar[^"]*"[^>]*>(.*?)</table>', page, re.S)
    assert len(bars) == 6
    # the first chart is 入会率, largest first, as in the key-indicator table
    b = load_bundle(y / ".work" / "bundle.pkl")
    w = (
        CompareReport(b, 2023, b.unit_names)
        .key_frame()["membership_rate"]
        .dropna()
        .sort_values(ascending=False, kind="stable")
    )
    shown = re.findall(r'data-value="([^"]+)"', bars[0])
    assert [float(v) for v in shown] == pytest.approx(w.tolist())
    assert page.count('<table class="gh-hbar gh-has-ref"') == 6 and "中位数" in page


def test_manifest_hashes_every_output(built):
    _, out = built
    y = out / "2023"
    man = json.loads((y / "manifest.json").read_text(encoding="utf-8"))
    assert man["year"] == 2023 and man["toolkit_version"]
    assert set(man["notebooks"]) == {"unit_report.ipynb", "compare_units.ipynb"}
    assert all(len(i["sha256"]) == 64 for i in man["inputs"] if i["status"] == "ok")
    assert {i["year"] for i in man["inputs"]} == {2022, 2023}
    outputs = man["outputs"]
    assert "index.html" in outputs and "indicators.xlsx" in outputs and "compare.html" in outputs
    assert archive.verify(y) == {"changed": [], "missing": [], "extra": []}


def test_verify_names_changed_and_missing(built, tmp_path):
    _, out = built
    y = tmp_path / "2023"
    shutil.copytree(out / "2023", y)
    (y / "quality.html").write_text("改过了", encoding="utf-8")
    (y / "compare.html").unlink()
    res = archive.verify(y)
    assert res["changed"] == ["quality.html"] and res["missing"] == ["compare.html"]
    assert main(["verify", str(y)]) == 1


def test_noop_rebuild_skips_everything(built, data_dir):
    res, out = built
    again = build(_cfg(data_dir, out))
    assert again.ok and again.built == [] and len(again.skipped) == UNITS and not again.compare_built


def test_changed_input_rebuilds_only_that_unit(data_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    out = tmp_path / "reports"
    first = build(_cfg(data, out))
    assert first.ok and len(first.built) == UNITS
    # change one workbook's content (same unit): touch a cell
    import openpyxl

    victim = sorted((data / "2023").glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(victim)
    info = wb.worksheets[[ws.title for ws in wb.worksheets].index(next(t for t in wb.sheetnames if "基本" in t))]
    info["C1"] = "改"
    wb.save(victim)
    second = build(_cfg(data, out))
    assert second.ok
    # that unit, and the peers whose pages show it (their ranks, medians and
    # "同类第一" follow its data); every other unit is skipped
    from gonghui_kit.analysis.bundle import load_bundle

    b = load_bundle(out / "2023" / ".work" / "bundle.pkl")
    group = b.units.set_index("unit")["peer_group"]
    victim = b.files.loc[b.files["path"] == str(victim), "unit"].iloc[0]
    assert victim in second.built
    assert all(group[u] == group[victim] for u in second.built)
    assert len(second.built) + len(second.skipped) == UNITS and second.skipped
    assert second.compare_built


def test_failed_unit_is_isolated(data_dir, tmp_path, monkeypatch):
    from gonghui_kit.present import report

    original = report.UnitReport.chart_care

    def boom(self):
        if self.unit == victim:
            raise RuntimeError("测试故障")
        return original(self)

    from gonghui_kit.ingest.load import load_ledgers

    victim = load_ledgers(data_dir / "2023").units[0]
    monkeypatch.setattr(report.UnitReport, "chart_care", boom)  # inherited by the forked children
    out = tmp_path / "reports"
    res = build(_cfg(data_dir, out))
    assert not res.ok and list(res.failed) == [victim]
    assert "测试故障" in res.failed[victim]
    assert len(res.built) == UNITS - 1
    y = out / "2023"
    slug = layout.unique_slugs([victim])[victim]
    page = (y / "units" / f"{slug}.html").read_text(encoding="utf-8")
    assert "测试故障" in page  # partial page with the error
    nb = nbformat.read(str(y / "notebooks" / f"{slug}.ipynb"), as_version=4)
    assert any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
    index = (y / "index.html").read_text(encoding="utf-8")
    assert "生成失败" in index and "测试故障" in index
    # the next build retries only the failed unit
    monkeypatch.setattr(report.UnitReport, "chart_care", original)
    again = build(_cfg(data_dir, out))
    assert again.ok and again.built == [victim]


def test_sealed_year_is_not_rebuilt(built, data_dir, tmp_path):
    _, out = built
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)
    assert main(["seal", "2023", "--out", str(copy)]) == 0
    before = archive.read_manifest(copy / "2023")
    with pytest.raises(BuildError, match="已封存"):
        build(_cfg(data_dir, copy))
    assert archive.read_manifest(copy / "2023") == before
    assert archive.verify(copy / "2023")["changed"] == []


def test_params_file_is_validated(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit_report:\n  top_nn: 3\n", encoding="utf-8")
    with pytest.raises(BuildError, match="未知参数 top_nn"):
        BuildConfig.read_params(bad)
    bad.write_text("unit_report:\n  top_n: '3'\n", encoding="utf-8")
    with pytest.raises(BuildError, match="参数 top_n 应为整数"):
        BuildConfig.read_params(bad)
    bad.write_text("jobz: 3\n", encoding="utf-8")
    with pytest.raises(BuildError, match="未知配置项 jobz"):
        BuildConfig.read_params(bad)
    good = tmp_path / "good.yaml"
    good.write_text("jobs: 2\nunit_report:\n  top_n: 4\n", encoding="utf-8")
    assert BuildConfig.read_params(good)["unit_report"] == {"top_n": 4}


def test_build_cli_unknown_unit_is_a_clear_error(data_dir, tmp_path, capsys):
    code = main(
        [
            "build",
            "--year",
            "2023",
            "--data",
            str(data_dir),
            "--out",
            str(tmp_path / "r"),
            "--units",
            "不存在的单位",
            "--quiet",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "没有这些单位：不存在的单位" in err and "Traceback" not in err


def test_demo_command_makes_an_archive(tmp_path, capsys):
    """The README's main command, small: sample data → every year built →
    the path of the archive's index page."""
    out, data = tmp_path / "reports", tmp_path / "data"
    code = main(["demo", "--out", str(out), "--data", str(data), "--years", "2022-2023", "--units", "3", "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert str((out / "index.html").resolve()) in printed
    for y in ("2022", "2023"):
        assert (out / y / "index.html").exists() and (out / y / "compare.html").exists()
        assert len(list((out / y / "units").glob("*.html"))) == 3
    root = (out / "index.html").read_text(encoding="utf-8")
    assert "2022/index.html" in root and "2023/index.html" in root


def test_bundle_cache_follows_the_file(tmp_path):
    """A long-lived process (a Dask worker) must read a rewritten bundle anew."""
    import os
    import pickle

    from gonghui_kit.analysis.bundle import _CACHE, load_bundle

    p = tmp_path / "bundle.pkl"
    p.write_bytes(pickle.dumps({"year": 2023}))
    assert load_bundle(p) == {"year": 2023}
    p.write_bytes(pickle.dumps({"year": 2024, "pad": "x" * 10}))
    os.utime(p, ns=(1, 1))
    assert load_bundle(p) == {"year": 2024, "pad": "x" * 10}
    assert sum(1 for k in _CACHE if k[0] == str(p.resolve())) == 1


def test_rehearsal_leaves_no_trace(built):
    """The warm parent's rehearsal (report.rehearse) must not change what
    the children start from: display hooks, rcParams, open figures."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from gonghui_kit.analysis.bundle import load_bundle
    from gonghui_kit.present import report

    _, out = built
    bundle = out / "2023" / ".work" / "bundle.pkl"
    unit = load_bundle(bundle).unit_names[0]
    hooks = report._display_html, report._show
    rc = dict(mpl.rcParams)
    report.rehearse(bundle=str(bundle), unit=unit, year=2023)
    assert (report._display_html, report._show) == hooks
    assert dict(mpl.rcParams) == rc
    assert plt.get_fignums() == []


def test_year_files_failure_is_reported_not_fatal(data_dir, tmp_path, monkeypatch):
    """indicators.xlsx and quality.html are written by a pool task: when it
    fails the build says so (exit status 1) and every report is still made."""
    from gonghui_kit import build as build_mod

    def boom(**_):
        raise OSError("磁盘已满（测试）")

    monkeypatch.setattr(build_mod, "write_year_files", boom)  # inherited by the forked task
    out = tmp_path / "reports"
    res = build(_cfg(data_dir, out))
    assert list(res.failed) == [build_mod.YEAR_FILES] and "磁盘已满" in res.failed[build_mod.YEAR_FILES]
    assert len(res.built) == UNITS
    y = out / "2023"
    assert (y / "index.html").is_file() and (y / "compare.html").is_file()
    assert not (y / "indicators.xlsx").exists()


def test_years_loaded_in_one_pool_match_separate_loads(data_dir):
    """load_years_ledgers reads every year's workbooks in one pool; each year
    comes out exactly as its own load_ledgers call would make it."""
    from gonghui_kit.ingest.load import load_ledgers, load_years_ledgers

    together = load_years_ledgers({2022: data_dir / "2022", 2023: data_dir / "2023"}, jobs=2)
    for year in (2022, 2023):
        alone = load_ledgers(data_dir / str(year), year=year)
        both = together[year]
        assert set(both.tables) == set(alone.tables)
        for key in alone.tables:
            a, b = alone.tables[key], both.tables[key]
            assert len(a) == len(b), key
            meta = [c for c in ("unit", "year", "source_file", "sheet", "excel_row") if c in a.columns]
            assert meta and a[meta].equals(b[meta]), key
        assert len(both.findings) == len(alone.findings)
        assert both.files["sha256"].tolist() == alone.files["sha256"].tolist()


def test_unit_sections_are_the_notebooks_sections():
    """report.UNIT_SECTIONS (what the rehearsal and the benchmark floor draw)
    lists exactly the sections unit_report.ipynb shows, in its order."""
    import re

    from gonghui_kit.present.report import UNIT_SECTIONS
    from gonghui_kit.resources import notebook_path

    nb = nbformat.read(str(notebook_path("unit_report.ipynb")), as_version=4)
    calls = [m for c in nb.cells if c.cell_type == "code" for m in re.findall(r"^r\.(\w+)\(", c.source, re.M)]
    assert tuple(calls) == UNIT_SECTIONS


def test_unit_with_uncounted_data_is_marked_incomplete(tmp_path):
    """A sheet the loader cannot place (content, unknown name and header) leaves data
    uncounted: an error finding, and the unit is marked 数据不完整 in the year index."""
    import openpyxl

    from gonghui_kit.ingest.check import incomplete_units
    from gonghui_kit.ingest.load import load_ledgers

    data = tmp_path / "data"
    generate_sample(data, units=2, years=(2023,), seed=5)
    victim = sorted((data / "2023").glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(victim)
    ws = wb.create_sheet("附表三")
    ws.append(["项目甲", "项目乙"])
    ws.append(["某某", 12])
    wb.save(victim)
    ledger = load_ledgers(data / "2023", registry=None)
    bad = incomplete_units(ledger.findings)
    assert len(bad) == 1
    ((unit, year),) = bad
    assert year == 2023
    res = build(_cfg(data, tmp_path / "reports"))
    assert res.ok, res.failed
    index = (tmp_path / "reports" / "2023" / "index.html").read_text(encoding="utf-8")
    row = index[index.index(f">{unit}</a>") :].split("</tr>")[0]
    assert "数据不完整（" in row
    others = [r for r in index.split("</tr>") if "数据不完整（" in r]
    assert len(others) == 1
    n = len(bad[(unit, year)])
    slug = layout.unique_slugs([unit])[unit]
    page = (tmp_path / "reports" / "2023" / "units" / f"{slug}.html").read_text(encoding="utf-8")
    assert f"数据不完整：台账中有 {n} 处内容未能识别" in page
    wb = openpyxl.load_workbook(tmp_path / "reports" / "2023" / "indicators.xlsx", read_only=True)
    readme = [c for row in wb["说明"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(s.startswith("数据不完整") and f"{unit}（{n} 处）" in s for s in readme)
    heads = [c for row in wb["组织建设"].iter_rows(min_row=2, max_row=2, values_only=True) for c in row if c]
    assert f"{unit}（数据不完整）" in heads


def test_units_inside_other_units_workbooks_get_their_pages(tmp_path):
    """分会 whose records come in a 上级工会's workbook (a unit column, a sheet
    per 分会, a 统计表 row) are units of the year like any other: a page, a row
    in the year index saying where their data came from."""
    from gonghui_kit.ledgers.realworld import Variant, make_corpus

    corpus = make_corpus(
        tmp_path / "data",
        [
            Variant("multi_unit", (), 2),
            Variant("unit_sheets", (), 2),
            Variant("summary", (), 2),
            Variant("topics-xlsx-info", ()),
        ],
        seed=13,
        size=0.2,
    )
    res = build(build_config(tmp_path / "data", tmp_path / "reports", 2024))
    assert res.ok, res.failed
    m = archive.read_manifest(tmp_path / "reports" / "2024")
    from gonghui_kit.analysis.units import UnitRegistry

    canon = UnitRegistry.from_yaml(params_path("units.yaml")).canonical
    wanted = {canon(u) for o in corpus.outputs for u in o.units}
    assert wanted <= set(m["units"]), wanted - set(m["units"])
    for u in wanted:
        assert (tmp_path / "reports" / layout.unit_page(2024, m["units"][u]["slug"])).exists()
    index = (tmp_path / "reports" / "2024" / "index.html").read_text(encoding="utf-8")
    topic_unit = canon(corpus.outputs[-1].units[0])
    row = index[index.index(f">{topic_unit}<") :].split("</tr>")[0]
    assert "多个版本" not in row  # one file per topic is one ledger, not several versions
