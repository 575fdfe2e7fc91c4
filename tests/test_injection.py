"""Text from a ledger is data, never markup, a path or a formula.

Ledgers whose text fields (单位名称, 活动名称, 标题, 摘要, 荣誉名称, category
cells, sheet names) carry HTML/JS/template/Markdown payloads and unit names
that are hostile as file names are built into a full archive
(``gonghui build``); then every page is parsed: the only scripts are our own
inline tables script, no tag has an event-handler attribute or a
``javascript:`` URL, the payloads read back as text; unit pages get safe,
unique file names; nothing is written outside ``--out``; text cells of the
Excel outputs are never formulas.
"""

from __future__ import annotations

import html
import json
import multiprocessing as mp
import os
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from gonghui_kit.archive import manifest as archive
from gonghui_kit.cli import main
from gonghui_kit.run.nbhtml import tables_js

pytestmark = pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="the build uses the fork executor")

YEAR = 2023

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "{{7*7}}",
    "${7*7}",
    "[点我](javascript:alert(1))",
    "**粗**<b>b</b>`code`_斜_",
    "</td></tr></table><script>alert(2)</script>",
    "<iframe src=javascript:alert(3)></iframe>",
    "'; alert(4); //",
    "&lt;script&gt;alert(5)&lt;/script&gt;",
    "# 标题\n\n- 列表\n\n<style>body{display:none}</style>",
]
FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(1)", "=1+1"]

# unit names: payloads, hostile file names, formula starters
UNITS = [
    "<script>alert(1)</script>分工会",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "{{7*7}}分工会",
    "../../逃逸/工会",
    "a/b\\c..d",
    "空_x0000_字符工会",  # a NUL character once read (Excel's _xHHHH_ escape)
    "长" * 300,
    "！！！……",
    "CON",
    "Abc工会",
    "ABC工会",
    '=HYPERLINK("http://evil.example","点我")',
    "+工会",
    "-工会",
    "@工会",
]


def _put(ws, row: int, col: int, value) -> None:
    cell = ws.cell(row, col, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula, as a person typed it with a leading '


def _write_ledger(path: Path, unit: str, k: int) -> None:
    p = PAYLOADS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    for r, (key, val) in enumerate(
        [("单位名称", unit), ("年度", YEAR), ("职工人数", 80 + k), ("上级工会", p[k % len(p)])], 1
    ):
        _put(ws, r, 1, key)
        _put(ws, r, 2, val)
    # the activity sheet's name carries a payload in one workbook (found by its headers)
    act_name = "活动台账" if k % 4 else '"><svg onload=alert(1)>'
    sheets = {
        act_name: (
            ["日期", "活动名称", "活动类别", "参与人数", "支出金额", "备注"],
            [
                [
                    f"{YEAR}-0{m}-1{k % 9}",
                    p[(k + m) % len(p)],
                    ["文体活动", p[(k + m + 1) % len(p)], FORMULAS[m % len(FORMULAS)]][m % 3],
                    20 + m,
                    100 * m,
                    FORMULAS[(k + m) % len(FORMULAS)],
                ]
                for m in range(1, 7)
            ],
        ),
        "经费收支": (
            ["日期", "收支", "科目", "金额", "摘要"],
            [
                [
                    f"{YEAR}-02-0{m}",
                    "收入" if m == 1 else "支出",
                    ["会费收入", "职工活动支出", p[(k + m) % len(p)]][m % 3],
                    1000 * m,
                    p[(k + m + 2) % len(p)],
                ]
                for m in range(1, 5)
            ],
        ),
        "职代会提案": (
            ["提案编号", "提出日期", "提案人", "标题", "类别", "是否立案", "办理状态", "答复日期"],
            [
                [
                    f"T{m}",
                    f"{YEAR}-03-0{m}",
                    "张某甲",
                    p[(k + m + 3) % len(p)],
                    p[(k + m) % len(p)],
                    "是",
                    "已办结",
                    f"{YEAR}-04-0{m}",
                ]
                for m in range(1, 4)
            ],
        ),
        "宣传报道": (
            ["日期", "形式", "级别", "数量", "标题"],
            [[f"{YEAR}-05-0{m}", "简报", "内部", 1, p[(k + m + 4) % len(p)]] for m in range(1, 3)],
        ),
        "荣誉表彰": (
            ["日期", "荣誉名称", "级别", "获奖对象", "等次"],
            [
                [f"{YEAR}-06-0{m}", p[(k + m + 5) % len(p)], "市厅级", "集体", FORMULAS[m % len(FORMULAS)]]
                for m in range(1, 3)
            ],
        ),
    }
    for name, (header, rows) in sheets.items():
        s = wb.create_sheet(name)
        for j, h in enumerate(header, 1):
            _put(s, 1, j, h)
        for i, row in enumerate(rows, 2):
            for j, v in enumerate(row, 1):
                _put(s, i, j, v)
    extra = wb.create_sheet("<img src=x onerror=alert(9)>"[:31])  # an unknown sheet: its name shows in findings
    _put(extra, 1, 1, p[k % len(p)])
    wb.save(path)


def _tree(root: Path, skip: Path | None = None) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        if skip is not None and (d == skip or skip in d.parents):
            continue
        for n in dirnames + filenames:
            p = d / n
            if skip is not None and p == skip:
                continue
            st = p.lstat()
            out[str(p.relative_to(root))] = (st.st_size, int(st.st_mtime_ns))
    return out


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("inject")
    data = root / "data" / str(YEAR)
    data.mkdir(parents=True)
    for k, u in enumerate(UNITS):
        _write_ledger(data / f"台账{k:02d}.xlsx", u, k)
    out = root / "reports"
    before = _tree(root)
    code = main(
        ["build", "--year", str(YEAR), "--data", str(root / "data"), "--out", str(out), "--quiet", "--jobs", "2"]
    )
    after = _tree(root, skip=out)
    return root, out, code, before, after


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in = tag
            self.scripts.append("")
        elif tag == "style":
            self._in = tag
            self.styles.append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


@pytest.mark.slow
def test_build_completes_for_every_hostile_unit(archive_dir):
    root, out, code, before, after = archive_dir
    assert code == 0
    y = out / str(YEAR)
    man = json.loads((y / "manifest.json").read_text(encoding="utf-8"))
    assert len(man["units"]) == len(UNITS)
    assert all(u["status"] == "ok" for u in man["units"].values()), {k: v.get("error") for k, v in man["units"].items()}
    assert archive.verify(y) == {"changed": [], "missing": [], "extra": []}


@pytest.mark.slow
def test_pages_have_no_live_markup_from_ledgers(archive_dir):
    _, out, _, _, _ = archive_dir
    ours = tables_js().strip()
    pages = _pages(out)
    assert len(pages) >= len(UNITS) + 4
    all_text = []
    for page in pages:
        src = page.read_text(encoding="utf-8")
        p = _Page()
        p.feed(src)
        p.close()
        # every <script> is our own inline tables script, nothing else
        n_script_tags = len(re.findall(r"<script\b", src, re.I))
        assert n_script_tags == len(p.scripts), page
        for body in p.scripts:
            assert body.strip() == ours, (page, body[:200])
        for tag, attrs in p.tags:
            assert (
                tag not in ("iframe", "object", "embed", "svg", "img", "base", "form", "style")
                or tag in ("img", "style")
                and _ours(tag, attrs)
            ), (page, tag, attrs)
            for name, value in attrs:
                assert not name.lower().startswith("on"), (page, tag, attrs)
                if name.lower() in ("href", "src", "action", "formaction", "xlink:href"):
                    v = (value or "").strip().lower()
                    assert not v.startswith(("javascript:", "vbscript:", "data:text")), (page, tag, attrs)
        assert "alert(" not in "".join(p.scripts)
        assert "display:none}" not in "".join(p.styles) and "alert(" not in "".join(p.styles)
        assert "49分工会" not in src  # {{7*7}} was never evaluated
        all_text.append("".join(p.text))
    text = "\n".join(all_text)
    # the payloads are shown as the text that was written
    for u in (
        "<script>alert(1)</script>分工会",
        "<img src=x onerror=alert(1)>",
        '"><svg onload=alert(1)>',
        "{{7*7}}分工会",
    ):
        assert u in text, u
    index = (out / str(YEAR) / "index.html").read_text(encoding="utf-8")
    assert html.escape("<script>alert(1)</script>分工会", quote=False) in index


def _ours(tag: str, attrs) -> bool:
    """<img> only as an embedded chart; <style> only without attributes."""
    a = dict(attrs)
    if tag == "img":
        return (a.get("src") or "").startswith("data:image/png;base64,")
    return tag == "style" and all((k, v) == ("type", "text/css") for k, v in attrs)


@pytest.mark.slow
def test_unit_pages_have_safe_unique_names(archive_dir):
    root, out, _, before, after = archive_dir
    y = out / str(YEAR)
    names = [p.name for p in (y / "units").iterdir()]
    assert len(names) == len(UNITS)
    stems = [n[: -len(".html")] for n in names]
    assert all(n.endswith(".html") for n in names)
    assert len({s.lower() for s in stems}) == len(stems)  # unique even where case is ignored
    reserved = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
    for s in stems:
        assert 0 < len(s) <= 60, s
        assert not re.search(r'[\x00-\x1f<>:"/\\|?*]', s), s
        assert ".." not in s and not s.startswith(".") and not s.endswith((".", " ")), s
        assert s.split(".")[0].lower() not in reserved, s
        assert unicodedata.normalize("NFKC", s) == s
    nbs = [p.stem for p in (y / "notebooks").glob("*.ipynb")]
    assert set(stems) <= set(nbs)
    # every file of the archive is inside --out (no path escaped through a unit name)
    for p in out.rglob("*"):
        assert p.resolve().is_relative_to(out.resolve()), p
        assert not p.is_symlink(), p
    # nothing outside --out changed: the data and the parent folder are as they were
    assert after == before, set(after) ^ set(before)
    assert not (root / "逃逸").exists() and not (root.parent / "逃逸").exists()


@pytest.mark.slow
def test_index_links_point_at_the_unit_pages(archive_dir):
    _, out, _, _, _ = archive_dir
    y = out / str(YEAR)
    p = _Page()
    p.feed((y / "index.html").read_text(encoding="utf-8"))
    links = {dict(a).get("href") for t, a in p.tags if t == "a"}
    from urllib.parse import unquote

    targets = {unquote(h) for h in links if h and h.startswith("units/")}
    assert targets == {f"units/{n.name}" for n in (y / "units").iterdir()}


def _assert_no_formula_text(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)  # not data_only: a formula would load as data_type 'f'
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    texts.append(c.value)
    return texts


@pytest.mark.slow
def test_indicators_xlsx_stores_formula_like_unit_names_as_text(archive_dir):
    _, out, _, _, _ = archive_dir
    texts = _assert_no_formula_text(out / str(YEAR) / "indicators.xlsx")
    joined = "\n".join(texts)
    for u in ('=HYPERLINK("http://evil.example","点我")', "+工会", "-工会", "@工会"):
        assert u in joined, u


def test_indicators_cli_xlsx_and_findings_are_text(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    for k, u in enumerate(
        ['=HYPERLINK("http://evil.example","点我")', "+工会", "@工会", "<script>alert(1)</script>分工会"]
    ):
        _write_ledger(data / f"台账{k}.xlsx", u, k)
    xlsx = tmp_path / "ind.xlsx"
    assert main(["indicators", str(data), "--format", "xlsx", "-o", str(xlsx)]) == 0
    texts = _assert_no_formula_text(xlsx)
    assert any(t.startswith("=HYPERLINK") for t in texts)
    capsys.readouterr()
    main(["check", str(data), "--format", "json"])
    out = capsys.readouterr().out
    findings = json.loads(out)
    # the raw values of findings are plain single-line text (a reader's JSON, not markup to render)
    assert any("<script>" in f["value"] or "<img" in f["value"] for f in findings)
    for f in findings:
        assert "\n" not in f["value"] and "\x00" not in f["value"], f
    assert all("\x00" not in (f["unit"] or "") for f in findings)
