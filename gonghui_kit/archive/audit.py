"""``gonghui verify reports/Y --data ROOT``: does the archive say what the ledgers say?

``verify`` alone proves the files are those the manifest lists; this proves
their content equals the data.  The year's bundle is computed again from the
ledgers under ``ROOT``, then:

- the ledgers read now are those the manifest lists (name and hash);
- the units are those the archive reports on;
- ``indicators.xlsx`` holds, cell by cell, what the recomputed indicators give;
- each unit's page shows the recomputed key figures (its KPI cards) and was
  built from the data slice it shows now (its key in the manifest,
  :mod:`gonghui_kit.archive.keys`), and so was the comparison.

Each problem is one Chinese line; none means the archive equals its data.
"""

from __future__ import annotations

import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from gonghui_kit import resources
from gonghui_kit.archive import layout
from gonghui_kit.archive.keys import digest, page_keys
from gonghui_kit.archive.manifest import read_manifest

__all__ = ["audit", "visible_text"]

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees, whitespace folded.

    >>> visible_text("<p>会员 <b>1,203</b>人</p><script>x=1</script>")
    '会员 1,203 人'
    """
    p = _Text()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def _cells(path: Path) -> dict[tuple[str, int, int], str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {}
    try:
        for ws in wb.worksheets:
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                for c, v in enumerate(row, start=1):
                    if v is not None and v != "":
                        out[(ws.title, r, c)] = _TIME.sub("<time>", str(v))
    finally:
        wb.close()
    return out


def audit(
    year_dir: str | Path, data: str | Path, *, units_file: str | None = None, standards_file: str | None = None
) -> list[str]:
    """Problems found comparing the archive's year with its ledgers (see module docstring)."""
    from gonghui_kit.analysis.bundle import prepare_bundle
    from gonghui_kit.present.fmt import fmt_indicator
    from gonghui_kit.present.report import UnitReport
    from gonghui_kit.present.xlsx import write_indicators_xlsx

    year_dir = Path(year_dir)
    man = read_manifest(year_dir)
    if not man:
        return [f"{year_dir} 中没有可读的清单 {layout.MANIFEST}"]
    year = int(man["year"])
    out = year_dir.parent
    registry = resources.roster(units_file, warn=False)[0]
    standards = resources.standards(standards_file, warn=False)[0]
    b = prepare_bundle(data, year, registry=registry, standards=standards)
    b.extra["archive_dir"] = str(year_dir.resolve())  # as the build sets it: this year's folder
    problems: list[str] = []

    listed = {(i.get("file"), i.get("sha256")) for i in man.get("inputs", [])}
    now = {(f, h) for f, h in zip(b.files["file"], b.files["sha256"], strict=False)}
    for f, _ in sorted(now - listed):
        problems.append(f"台账 {f} 与生成归档时读取的内容不同（或当时没有）")
    for f, _ in sorted(listed - now):
        problems.append(f"生成归档时读取的台账 {f} 现在已不同或不存在")

    units = man.get("units", {})
    for u in b.unit_names:
        if u not in units:
            problems.append(f"单位 {u} 有台账，但归档中没有它的报告")
    for u in units:
        if u not in b.unit_names:
            problems.append(f"归档中有单位 {u} 的报告，但台账中已没有该单位")

    xlsx = layout.at(out, layout.indicators_xlsx(year))
    if xlsx.is_file():
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "indicators.xlsx"
            write_indicators_xlsx(
                fresh,
                b.ind[b.ind["year"] <= year],
                year=year,
                registry=b.extra.get("registry"),
                incomplete=getattr(b, "incomplete", {}),
            )
            want, have = _cells(fresh), _cells(xlsx)
        wrong = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k))
        for sheet, r, c in wrong[:20]:
            problems.append(
                f"indicators.xlsx 工作表“{sheet}”第 {r} 行第 {c} 列："
                f"归档为 {have.get((sheet, r, c), '空')}，按台账应为 {want.get((sheet, r, c), '空')}"
            )
        if len(wrong) > 20:
            problems.append(f"indicators.xlsx 另有 {len(wrong) - 20} 处与台账不符")
    else:
        problems.append("缺少 indicators.xlsx")

    notebooks = man.get("notebooks", {})
    base = {
        "params": (man.get("params") or {}).get("digest"),
        "notebooks": digest([notebooks.get("unit_report.ipynb"), notebooks.get("compare_units.ipynb")]),
        "version": man.get("toolkit_version"),
    }
    slugs, keys, ykey = page_keys(b, base)
    if (man.get("compare") or {}).get("key") not in (None, ykey):
        problems.append("compare.html 是按另一份数据生成的，与现在的台账不符")
    for u in b.unit_names:
        st = units.get(u)
        if not st:
            continue
        page = layout.at(out, layout.unit_page(year, slugs[u]))
        if st.get("status") not in ("ok", "stale") or not page.is_file():
            continue  # verify names failed units and missing pages
        if st.get("key") != keys[u]:
            problems.append(
                f"{layout.in_year(year, layout.unit_page(year, slugs[u]))} 是按另一份数据生成的，与现在的台账不符"
            )
        text = visible_text(page.read_text(encoding="utf-8", errors="replace"))
        kpi = UnitReport(b, u, year).kpi_frame()
        for k, label, v in zip(kpi["indicator"], kpi["label"], kpi["value"], strict=False):
            shown = fmt_indicator(k, v)
            if shown not in text:
                problems.append(f"{u} 的报告中{label}不是按台账算出的 {shown}")
    return problems
