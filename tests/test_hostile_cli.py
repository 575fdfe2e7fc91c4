"""Hostile files next to good ledgers, through the command line.

Every builder of ``tests/hostile.py`` writes its file into one folder that
also holds good sample ledgers (and a good ledger saved with macros).
``gonghui check FOLDER`` must name every hostile file in one clear Chinese
finding, print no traceback, still read the good ledgers, and finish in
bounded time; a subprocess over the worst files stays under 2 GiB peak RSS;
``gonghui build`` over such a data folder completes for the good units.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import hostile as h
import pytest

from gonghui_kit.cli import main
from gonghui_kit.ledgers.sample import generate_sample

CJK = re.compile(r"[\u4e00-\u9fff]")
FOLDER = "报送"

# file name -> (builder, codes of which one must be among the file's findings, refused?)
# (files without a 基本信息 sheet are refused for that: no_info)
HOSTILE: dict[str, tuple] = {
    "旧版.xlsx": (h.old_xls, {"corrupt", "no_info"}),  # .xls is read now; this stub has no sheet
    "加密旧版.xls": (h.encrypted_xls, {"encrypted"}),
    "加密台账.xlsx": (h.encrypted_xlsx, {"encrypted"}),
    "Word改名.xlsx": (h.word_doc, {"not_workbook"}),
    "截断.xlsx": (h.truncated_xlsx, {"corrupt"}),
    "CRC错误.xlsx": (h.crc_corrupt_xlsx, {"corrupt"}),
    "CSV改名.xlsx": (h.text_as_xlsx, {"not_workbook"}),
    "GBK改名.xlsx": (h.gbk_csv_as_xlsx, {"not_workbook"}),
    "PDF改名.xlsx": (h.pdf_as_xlsx, {"not_workbook"}),
    "网页导出.xlsx": (h.html_as_xlsx, {"not_workbook"}),
    "docx改名.xlsx": (h.docx_as_xlsx, {"not_workbook"}),
    "ods改名.xlsx": (h.ods_as_xlsx, {"corrupt"}),
    "二进制.xlsb": (h.xlsb_as_xlsx, {"corrupt"}),
    "打包.xlsx": (h.plain_zip, {"not_workbook"}),
    "行炸弹.xlsx": (lambda d, name: h.row_bomb(d, rows=1_100_000, compresslevel=6, name=name), {"too_many_rows"}),
    "无行号百万行.xlsx": (lambda d, name: h.rless_rows(d, rows=1_200_000, name=name), {"too_many_rows"}),
    "压缩炸弹.xlsx": (h.ratio_bomb, {"zip_bomb"}),
    "声称超大.xlsx": (h.declared_size_bomb, {"zip_bomb"}),
    "大小不符.xlsx": (h.size_liar, {"corrupt", "zip_bomb"}),
    "部件过多.xlsx": (h.many_members, {"zip_bomb"}),
    "实体炸弹.xlsx": (h.billion_laughs, {"xml_entities"}),
    "外部实体.xlsx": (h.xxe_workbook, {"xml_entities"}),
    "空白后DTD.xlsx": (h.dtd_after_whitespace, {"xml_entities"}),
    "超宽.xlsx": (h.wide_dimension, {"too_many_cols"}),
    "两万列.xlsx": (h.rless_wide, {"too_many_cols"}),
    "远处单元格.xlsx": (h.far_cell, {"too_many_cells"}),
    "多表稀疏.xlsx": (lambda d, name: _sparse_sheets(d, name, 8), {"too_many_cells"}),
    "长文本.xlsx": (h.long_text, {"long_text"}),
    "中文长文本.xlsx": (h.cjk_text, {"no_info"}),
    "控制字符.xlsx": (h.control_chars, {"control_chars"}),
    "带宏.xlsm": (h.macro_xlsm, {"macros"}),
    "外部链接.xlsx": (h.external_link, {"external_links"}),
    "空文件.xlsx": (h.empty_file, {"empty"}),
    "UTF16.xlsx": (h.utf16_sheet, {"too_many_rows"}),
    "乱序行.xlsx": (h.nonascending_rows, {"too_many_rows"}),
    "隐藏角落.xlsx": (h.hidden_far_corner, {"too_many_cells"}),
    "空格属性.xlsx": (h.spaced_attrs, {"too_many_cells"}),
    "小写引用.xlsx": (h.lowercase_refs, {"too_many_cells"}),
    "未登记工作表.xlsx": (h.orphan_sheet, {"too_many_cells"}),
    "名称含大于号.xlsx": (h.gt_in_sheet_name, {"no_info"}),
    "前缀命名空间.xlsx": (lambda d, name: h.prefixed_namespace(d, rows=1_050_000, name=name), {"too_many_rows"}),
    "文件夹.xlsx": (lambda d, name: h.dir_named_xlsx(d, name=name), {"is_dir"}),
    "快捷方式.xlsx": ("symlink", {"symlink"}),
    "指向设备.xlsx": ("symlink_dev", {"symlink"}),
    "管道.xlsx": (lambda d, name: h.fifo(d, name=name), {"not_file"}),
}


def _sparse_sheets(d: Path, name: str, n: int) -> Path:
    """``n`` sheets each spanning A1:XFD1220 (~20 million cells, just under the per-sheet limit)."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1220"><c r="XFD1220"><v>2</v></c></row>'
    names = ["基本信息", "活动台账", "经费收支", "慰问帮扶", "会员名册", "宣传报道", "培训学习", "荣誉表彰"]
    return h.write_xlsx(Path(d) / name, [(names[i % 8] + str(i // 8 or ""), h.sheet_xml(rows)) for i in range(n)])


def _with_macros(src: Path, dst: Path) -> Path:
    """A good ledger saved as .xlsm: the same parts plus a VBA project."""
    vba = h.cfb_bytes({"dir": b"\x01" * 100, "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'})
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", vba)
    return dst


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """(root, folder, good units, macro unit): hostile files + 2 good ledgers + 1 good ledger with macros."""
    root = tmp_path_factory.mktemp("hostile_cli")
    sample = root / "sample"
    res = generate_sample(sample, units=3, years=(2023,), seed=4)
    d = root / FOLDER
    d.mkdir()
    good = sorted(res.truth.values(), key=lambda t: t["file"])
    for t in good[:2]:
        shutil.copy(sample / t["file"], d / Path(t["file"]).name)
    _with_macros(sample / good[2]["file"], d / "带宏的正常台账.xlsm")
    target = d / Path(good[0]["file"]).name
    for name, (builder, _codes) in HOSTILE.items():
        if builder == "symlink":
            os.symlink(target, d / name)
        elif builder == "symlink_dev":
            os.symlink("/dev/zero", d / name)
        else:
            p = builder(d, name=name)
            assert p.name == name, (p, name)
    # builders that leave helper files behind must not add unexpected files
    listed = {p.name for p in d.iterdir()}
    assert len(listed) == len(HOSTILE) + 3, sorted(listed)
    return root, d, [t["unit"] for t in good[:2]], good[2]["unit"]


def _run_check(capsys, *argv: str) -> tuple[int, str, str, float]:
    capsys.readouterr()
    t = time.perf_counter()
    code = main(["check", *argv])
    elapsed = time.perf_counter() - t
    cap = capsys.readouterr()
    return code, cap.out, cap.err, elapsed


@pytest.fixture(scope="module")
def checked(folder):
    root, d, _, _ = folder
    # module scope: run once, through the real entry point, capturing both streams
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    t = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", str(d), "--format", "json"])
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - t


def test_one_clear_chinese_finding_per_hostile_file(folder, checked):
    root, d, good_units, macro_unit = folder
    code, out, err, elapsed = checked
    assert code == 1  # errors found
    findings = json.loads(out)
    by_file: dict[str, list[dict]] = {}
    for f in findings:
        by_file.setdefault(f["file"], []).append(f)
    for name, (_b, codes) in HOSTILE.items():
        key = f"{FOLDER}/{name}"
        mine = by_file.get(key)
        assert mine, f"no finding names {key}; files: {sorted(by_file)}"
        errors = [f for f in mine if f["severity"] == "error"]
        assert errors, (name, mine)
        assert codes & {f["code"] for f in mine}, (name, [(f["code"], f["message"]) for f in mine])
        for f in mine:
            assert CJK.search(f["message"]) and "\n" not in f["message"], f
            assert len(f["message"]) < 400, f
            assert f["row"] is None  # a file-level finding
        # one refusal per file, not a cascade
        assert len(errors) <= 2, (name, errors)


def test_no_traceback_and_bounded_time(checked):
    code, out, err, elapsed = checked
    for text in (out, err):
        assert "Traceback" not in text and 'File "' not in text
    assert elapsed < 90, elapsed


def test_good_ledgers_still_loaded(folder, checked):
    root, d, good_units, macro_unit = folder
    code, out, err, elapsed = checked
    findings = json.loads(out)
    units = {f["unit"] for f in findings if f["unit"]}
    for u in good_units + [macro_unit]:
        assert u in units, (u, sorted(units))
    # the good ledgers carry no error
    for f in findings:
        if f["unit"] in good_units:
            assert f["severity"] != "error", f
    macro = [f for f in findings if f["file"] == f"{FOLDER}/带宏的正常台账.xlsm"]
    assert any(f["code"] == "macros" and f["severity"] == "info" for f in macro), macro
    assert not any(f["severity"] == "error" for f in macro), macro


def test_good_units_in_indicators_next_to_hostile_files(folder, capsys):
    root, d, good_units, macro_unit = folder
    capsys.readouterr()
    assert main(["indicators", str(d), "--format", "json"]) == 0
    cap = capsys.readouterr()
    units = {r["unit"] for r in json.loads(cap.out)}
    assert units == set(good_units) | {macro_unit}
    assert "gonghui check" in cap.err and "Traceback" not in cap.err


def test_text_report_names_every_file(folder, capsys):
    root, d, _, _ = folder
    code, out, err, elapsed = _run_check(capsys, str(d))
    assert code == 1 and "Traceback" not in out + err
    for name in HOSTILE:
        assert f"■ {FOLDER}/{name}" in out, name
    assert "合计：" in out


_RSS_CHILD = textwrap.dedent(
    """
    import io, json, resource, sys, time
    from contextlib import redirect_stdout
    from gonghui_kit.cli import main
    t = time.perf_counter()
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["check", *sys.argv[1:], "--format", "json"])
    elapsed = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1024 if sys.platform != "darwin" else 1)
    print(json.dumps({"code": code, "peak": peak, "elapsed": elapsed, "findings": json.loads(buf.getvalue())}))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX only")
def test_worst_cases_stay_under_2_gib(tmp_path):
    """Files that pass the pre-flight limits by a hair, and bombs that must not."""
    d = tmp_path / "worst"
    d.mkdir()
    _sparse_sheets(d, "两表稀疏.xlsx", 2)  # 2 × 20M cells: the most a workbook may span
    _sparse_sheets(d, "八表稀疏.xlsx", 8)  # 160M cells: refused
    h.row_bomb(d, rows=1_000_000, every=1, compresslevel=6, name="百万行.xlsx")  # exactly at the row limit: read
    h.row_bomb(d, rows=4_000_000, dimension="A1:B2", compresslevel=6, name="行炸弹.xlsx")
    h.long_text(d, name="五兆单元格.xlsx")
    h.ratio_bomb(d, mb=300, name="压缩炸弹.xlsx")
    h.billion_laughs(d, name="实体炸弹.xlsx")
    out = subprocess.run([sys.executable, "-c", _RSS_CHILD, str(d)], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["peak"] < 2 * 2**30, r["peak"] / 2**20
    assert r["elapsed"] < 120, r["elapsed"]
    codes = {(f["file"].split("/")[-1], f["code"]) for f in r["findings"]}
    for name, code in [
        ("八表稀疏.xlsx", "too_many_cells"),
        ("行炸弹.xlsx", "too_many_rows"),
        ("压缩炸弹.xlsx", "zip_bomb"),
        ("实体炸弹.xlsx", "xml_entities"),
        ("五兆单元格.xlsx", "long_text"),
    ]:
        assert (name, code) in codes, (name, code)


@pytest.mark.slow
@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="the build uses the fork executor")
def test_build_completes_for_good_units_next_to_hostile_files(folder, tmp_path):
    root, d, good_units, macro_unit = folder
    data = tmp_path / "data"
    year = data / "2023"
    year.mkdir(parents=True)
    for p in d.iterdir():  # the quick-to-read ones (the big bombs are covered by check)
        if p.name in (
            "行炸弹.xlsx",
            "无行号百万行.xlsx",
            "前缀命名空间.xlsx",
            "多表稀疏.xlsx",
            "压缩炸弹.xlsx",
            "部件过多.xlsx",
        ):
            continue
        if p.is_symlink():
            os.symlink(os.readlink(p), year / p.name)
        elif p.is_dir():
            (year / p.name).mkdir()
        elif not p.is_file():
            os.mkfifo(year / p.name)
        else:
            shutil.copy(p, year / p.name)
    out = tmp_path / "reports"

    def run_build() -> tuple[subprocess.CompletedProcess, float]:
        # a subprocess with a timeout: a pipe or a link to a device must never hang the build
        code = "import sys; from gonghui_kit.cli import main; sys.exit(main(sys.argv[1:]))"
        t = time.perf_counter()
        r = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                "build",
                "--year",
                "2023",
                "--data",
                str(data),
                "--out",
                str(out),
                "--quiet",
                "--jobs",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
        )
        return r, time.perf_counter() - t

    r, elapsed = run_build()
    # 3: every report built, but ledgers were left out (each named on the console)
    assert r.returncode == 3, r.stderr[-3000:]
    assert "Traceback" not in r.stdout + r.stderr
    assert "未计入的台账：2023/实体炸弹.xlsx" in r.stderr and "未计入的台账：2023/快捷方式.xlsx" in r.stderr
    man = json.loads((out / "2023" / "manifest.json").read_text(encoding="utf-8"))
    assert set(man["units"]) == set(good_units) | {macro_unit}
    assert all(u["status"] == "ok" for u in man["units"].values())
    refused = {Path(i["file"]).name for i in man["inputs"] if i["status"] != "ok"}
    assert {"旧版.xlsx", "实体炸弹.xlsx", "管道.xlsx", "快捷方式.xlsx", "指向设备.xlsx", "文件夹.xlsx"} <= refused, (
        refused
    )
    quality = (out / "2023" / "quality.html").read_text(encoding="utf-8")
    assert "实体炸弹.xlsx" in quality and "管道.xlsx" in quality
    # a second run is a no-op: the input fingerprint does not read the pipe or the device either
    r, elapsed = run_build()
    assert r.returncode == 3, r.stderr[-3000:]
    assert elapsed < 30, elapsed
