"""Personal data (spec §6) never leaves the loader.

Every 姓名, 身份证号, 联系电话, 慰问对象, 提案人, 工会主席 and 填报人 written in
the sample ledgers (from the generator's truth and from the workbooks
themselves) plus a workbook planting the awkward cases (duplicate member
rows, a lone name below the table, ID and phone numbers stored as numbers, a
name in a 合计 row) is searched for in everything the toolkit writes or
prints: the whole archive of a ``gonghui build`` (HTML, xlsx unzipped, JSON,
executed notebooks, manifest, the ``.work`` bundle pickle), the output of
``gonghui check``/``indicators``/``summary`` (stdout, stderr, files, forked
children included), and log records.
"""

from __future__ import annotations

import html
import io
import json
import logging
import multiprocessing as mp
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import Sheet, write_book

from gonghui_kit.cli import main
from gonghui_kit.ledgers.sample import generate_sample

pytestmark = pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="the build uses the fork executor")

PII_HEADERS = {
    "姓名",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "联系电话",
    "电话",
    "手机号",
    "手机号码",
    "慰问对象",
    "对象",
    "提案人",
}
PII_INFO_KEYS = {"工会主席", "主席", "填报人", "填表人"}
PLANTED_UNIT = "隐私测试分工会"
PLANTED = {
    "names": ["欧阳某某甲", "司马某某乙", "诸葛某某丙", "上官某某丁", "皇甫某某戊", "令狐某某己"],
    "ids": ["110105198003071234", "11010519900101123X"],
    "phones": ["13912345678", "18698765432"],
}


def _planted_book(path: Path) -> None:
    ids, ph = PLANTED["ids"], PLANTED["phones"]
    # 备用手机 is no alias of 联系电话: an unknown column, never read, never quoted either
    member = ["欧阳某某甲", "男", "1980-03-07", "2010-05-01", None, None, ids[0], ph[0], "办公室", "13700009999"]
    write_book(
        path,
        {
            "会员名册": Sheet(
                [
                    [
                        "姓名",
                        "性别",
                        "出生日期",
                        "入会日期",
                        "离会日期",
                        "状态",
                        "身份证号",
                        "联系电话",
                        "部门",
                        "备用手机",
                    ],
                    member,
                    list(member),  # an exact duplicate row: the finding must not show the name, ID or phone
                    ["司马某某乙", "女", "1990-01-01", "2015-03-01", None, "在册", ids[1], int(ph[1]), "车间"],
                    [
                        "诸葛某某丙",
                        "女",
                        "1992-02-02",
                        "2018-03-01",
                        None,
                        "在册",
                        110105199202021234,
                        13800001111,
                        "车间",
                    ],
                    ["上官某某丁"],  # a lone name below the table: not a note to quote
                ],
                title="2023年隐私测试分工会会员名册",
            ),
            "慰问帮扶": [
                ["日期", "慰问对象", "事由", "人次", "金额", "形式"],
                ["2023-02-01", "皇甫某某戊", "生病住院", 1, 500, "现金"],
                ["2023-02-01", "皇甫某某戊", "生病住院", 1, 500, "现金"],  # duplicate
                ["2023-03-01", "令狐某某己", "不知道的事由", 1, 300, "实物"],  # unknown category → finding on the row
                ["合计", "令狐某某己", None, 2, 800, None],  # a subtotal row naming someone
            ],
            "职代会提案": [
                ["提案编号", "提出日期", "提案人", "标题", "类别", "是否立案", "办理状态", "答复日期"],
                ["T1", "2023-03-01", "欧阳某某甲", "关于食堂的建议", "生活福利", "是", "已办结", "2023-04-01"],
                ["T1", "2023-03-01", "欧阳某某甲", "关于食堂的建议", "生活福利", "是", "已办结", "2023-04-01"],
            ],
            "活动台账": [
                ["日期", "活动名称", "活动类别", "参与人数", "支出金额"],
                ["2023-05-01", "篮球赛", "文体活动", 20, 800],
            ],
        },
        info={"unit": PLANTED_UNIT, "year": 2023, "employees": 30, "工会主席": "独孤某某庚", "填报人": "东方某某辛"},
    )
    PLANTED["names"] += ["独孤某某庚", "东方某某辛"]
    PLANTED["ids"].append("110105199202021234")
    PLANTED["phones"] += ["13800001111", "13700009999"]


def _workbook_values(path: Path) -> set[str]:
    """PII cell values read straight from a workbook (any header row, any sheet)."""
    out: set[str] = set()
    wb = openpyxl.load_workbook(path, data_only=True)
    for ws in wb.worksheets:
        rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                key = re.sub(r"[\s:：]", "", str(v)) if v is not None else ""
                if key in PII_INFO_KEYS:
                    val = next((x for x in r[j + 1 :] if x not in (None, "")), None)
                    if val is not None:
                        out.add(str(val).strip())
                if key in PII_HEADERS:
                    for below in rows[i + 1 :]:
                        if j < len(below) and below[j] not in (None, ""):
                            x = below[j]
                            out.add(str(int(x)) if isinstance(x, float) and x.is_integer() else str(x).strip())
    # a person: the samples' invented names all hold 某; ID and phone numbers by shape
    # (the same columns also hold notes such as 填表说明 and groups such as 困难职工)
    return {v for v in out if "某" in v or re.fullmatch(r"\d{11}|\d{17}[\dXx]", v)}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("pii")
    data = root / "data"
    res = generate_sample(data, units=4, years=(2022, 2023), seed=11)
    _planted_book(data / "2023" / "隐私测试.xlsx")
    values: set[str] = set()
    for t in res.truth.values():
        values |= {t["info"].get("chair") or "", t["info"].get("filler") or ""}
        for key, cols in (
            ("members", ("name", "id_number", "phone")),
            ("care", ("recipient",)),
            ("proposals", ("proposer",)),
        ):
            for rec in t["sheets"].get(key, {}).get("records", []):
                values |= {str(rec.get(c) or "") for c in cols}
    for f in sorted(data.rglob("*.xlsx")):
        values |= _workbook_values(f)
    for k in ("names", "ids", "phones"):
        values |= set(PLANTED[k])
    # persons only: 慰问对象 may also be a group (困难职工, 全体女职工)
    values = {v for v in values if "某" in v or re.fullmatch(r"\d{11}|\d{17}[\dXx]", v)}
    return root, data, values


def _variants(v: str) -> list[str]:
    out = [v, html.escape(v), json.dumps(v, ensure_ascii=True)[1:-1]]
    if re.fullmatch(r"\d{11}|\d{17}[\dXx]", v):
        digits = v[:17] if len(v) == 18 else v
        out += [f"{v[0]}.{v[1:12]}", digits[:14]]  # as a float (3.2011119740412e+17) or cut
    return list(dict.fromkeys(out))


def _texts_of_file(p: Path) -> list[tuple[str, str]]:
    data = p.read_bytes()
    out = [(str(p), data.decode("utf-8", "replace"))]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for n in z.namelist():
                out.append((f"{p}!{n}", z.read(n).decode("utf-8", "replace")))
    return out


_LONG_DIGITS = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")


def _leaks(texts: list[tuple[str, str]], values: set[str], ids_phones: set[str]) -> list[str]:
    found = []
    for where, text in texts:
        for v in values:
            for form in _variants(v):
                if form in text:
                    found.append(f"{where}: {v!r} as {form!r}")
                    break
        for m in _LONG_DIGITS.finditer(text):
            if m.group(1) in ids_phones:
                found.append(f"{where}: number run {m.group(1)}")
    return found


@pytest.fixture(scope="module")
def outputs(world, tmp_path_factory):
    """Run every command once; collect printed text, log records and written files."""
    root, data, values = world
    out = root / "reports"
    work = root / "outputs"
    work.mkdir()
    printed: list[tuple[str, str]] = []
    records: list[str] = []

    class Grab(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    h = Grab(level=logging.DEBUG)
    logging.getLogger().addHandler(h)
    old = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    # fd-level capture (forked report children write to the real fds)
    import os
    import sys
    import tempfile

    def run(name: str, argv: list[str]) -> int:
        with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
            sys.stdout.flush(), sys.stderr.flush()
            so, se = os.dup(1), os.dup(2)
            os.dup2(fo.fileno(), 1), os.dup2(fe.fileno(), 2)
            py_out, py_err = sys.stdout, sys.stderr
            sys.stdout = io.TextIOWrapper(os.fdopen(os.dup(1), "wb"), encoding="utf-8", write_through=True)
            sys.stderr = io.TextIOWrapper(os.fdopen(os.dup(2), "wb"), encoding="utf-8", write_through=True)
            try:
                code = main(argv)
            finally:
                sys.stdout.flush(), sys.stderr.flush()
                sys.stdout.close(), sys.stderr.close()
                sys.stdout, sys.stderr = py_out, py_err
                os.dup2(so, 1), os.dup2(se, 2)
                os.close(so), os.close(se)
            fo.seek(0), fe.seek(0)
            printed.append((f"{name} stdout", fo.read().decode("utf-8", "replace")))
            printed.append((f"{name} stderr", fe.read().decode("utf-8", "replace")))
        return code

    try:
        codes = {
            "build": run("build", ["build", "--year", "2023", "--data", str(data), "--out", str(out), "--jobs", "2"]),
            "check": run("check", ["check", str(data), "--format", "json"]),
            "check_text": run("check_text", ["check", str(data / "2023"), "--verbose"]),
            "ind_json": run("ind_json", ["indicators", str(data), "--format", "json"]),
            "ind_csv": run("ind_csv", ["indicators", str(data), "--format", "csv"]),
            "ind_xlsx": run("ind_xlsx", ["indicators", str(data), "--format", "xlsx", "-o", str(work / "ind.xlsx")]),
            "ind_csv_file": run("ind_csv_file", ["indicators", str(data), "-o", str(work / "ind.csv")]),
            "summary": run("summary", ["summary", str(data), "--unit", PLANTED_UNIT, "--year", "2023"]),
            "summary_docx": run(
                "summary_docx",
                ["summary", str(data), "--unit", PLANTED_UNIT, "--year", "2023", "-o", str(work / "总结.docx")],
            ),
            "summary_md": run(
                "summary_md",
                ["summary", str(data), "--unit", PLANTED_UNIT, "--year", "2023", "-o", str(work / "总结.md")],
            ),
        }
    finally:
        logging.getLogger().removeHandler(h)
        logging.getLogger().setLevel(old)
    printed.append(("logging", "\n".join(records)))
    return out, work, codes, printed


def _ids_phones(values: set[str]) -> set[str]:
    return {v for v in values if re.fullmatch(r"1[3-9]\d{9}|\d{17}[\dXx]", v)}


def test_values_were_collected(world):
    _, _, values = world
    ids = _ids_phones(values)
    assert sum(len(v) == 18 for v in ids) >= 50 and sum(len(v) == 11 for v in ids) >= 50
    assert any("某" in v for v in values)
    assert set(PLANTED["names"]) <= values


@pytest.mark.slow
def test_commands_ran(outputs):
    out, work, codes, printed = outputs
    assert codes["build"] == 0, printed[:2]
    assert codes["ind_json"] == codes["ind_csv"] == codes["summary"] == 0
    assert (out / "2023" / "units").is_dir() and (work / "ind.xlsx").is_file() and (work / "总结.docx").is_file()
    assert (out / "2023" / ".work" / "bundle.pkl").is_file()
    assert any(PLANTED_UNIT in t for _, t in printed)


@pytest.mark.slow
def test_no_personal_data_in_any_output_file(world, outputs):
    _, _, values = world
    out, work, _, _ = outputs
    files = [p for p in [*out.rglob("*"), *work.rglob("*")] if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".html", ".xlsx", ".json", ".ipynb", ".pkl", ".docx", ".csv", ".md"} <= kinds, kinds
    texts = [t for p in files for t in _texts_of_file(p)]
    leaks = _leaks(texts, values, _ids_phones(values))
    assert not leaks, leaks[:20]


@pytest.mark.slow
def test_no_personal_data_in_printed_text_or_logs(world, outputs):
    _, _, values = world
    _, _, _, printed = outputs
    leaks = _leaks(printed, values, _ids_phones(values))
    assert not leaks, leaks[:20]


@pytest.mark.slow
def test_findings_point_at_rows_not_people(outputs):
    _, _, _, printed = outputs
    findings = json.loads(dict(printed)["check stdout"])
    mine = [f for f in findings if f["unit"] == PLANTED_UNIT]
    dups = [f for f in mine if f["code"] == "duplicate"]
    assert {f["sheet"] for f in dups} == {"会员名册", "慰问帮扶", "职代会提案"}, [(f["sheet"], f["row"]) for f in mine]
    for f in dups:
        assert isinstance(f["row"], int) and f["row"] > 1
        assert "某某" not in f["value"], f
    # the lone name below the member table is named by its row, not by the name
    lone = [f for f in mine if f["sheet"] == "会员名册" and f["row"] == 8]
    assert lone and all("上官" not in f["value"] and "上官" not in f["message"] for f in lone), lone
    sub = [f for f in mine if f["sheet"] == "慰问帮扶" and f["code"] == "subtotal"]
    assert sub and all("令狐" not in f["value"] for f in sub), sub
    for f in findings:
        assert "某" not in f["value"] or f["column"] not in PII_HEADERS, f
