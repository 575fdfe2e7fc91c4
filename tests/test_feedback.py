"""The collection round (``gonghui feedback``): 问题清单, annotated copies, 报送情况, rounds."""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import hostile as h
import openpyxl
import pytest
import yaml

from gonghui_kit.analysis.units import UnitRegistry
from gonghui_kit.cli import main
from gonghui_kit.feedback import PROBLEM_LIST, feedback
from gonghui_kit.feedback.fixes import DEFAULT_FIX, FIXES, fix_for
from gonghui_kit.feedback.rounds import STATE_NAME
from gonghui_kit.feedback.status import Version, choose_version
from gonghui_kit.ingest.check import CHECKS
from gonghui_kit.ingest.load import NOTE_MESSAGES
from gonghui_kit.ledgers.sample import generate_sample

PKG = Path(__file__).resolve().parents[1] / "gonghui_kit"
LOADER_MODULES = {"load.py", "info.py", "sheets.py", "records.py"}  # where LoadContext.add is called
YEAR = 2023


# --------------------------------------------------------------------------
# every finding code has a 怎么改


def _codes_in_source() -> set[str]:
    """Finding codes written in the ingest sources: safety's refuse/add, ReadError,
    the loader's ctx.add (8th argument; load and the modules it calls) and Finding(code=…)."""
    codes: set[str] = set()
    for p in (PKG / "ingest").rglob("*.py"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for n in ast.walk(tree):
            if not isinstance(n, ast.Call):
                continue
            name = getattr(n.func, "attr", None) or getattr(n.func, "id", None)
            args = [a.value if isinstance(a, ast.Constant) else None for a in n.args]
            if "safety" in p.parts and name in ("refuse", "add") and args and isinstance(args[0], str):
                codes.add(args[0])
            elif name == "ReadError" and args and isinstance(args[0], str):
                codes.add(args[0])
            elif p.name in LOADER_MODULES and name == "add" and len(args) >= 8 and isinstance(args[7], str):
                codes.add(args[7])
            elif name == "Finding":
                codes.update(k.value.value for k in n.keywords if k.arg == "code" and isinstance(k.value, ast.Constant))
                if len(args) >= 9 and isinstance(args[8], str):
                    codes.add(args[8])
    return codes


def test_every_finding_code_has_a_fix():
    codes = _codes_in_source() | {f"{a}_{b}" for a, b in NOTE_MESSAGES} | set(CHECKS) | {"standard:any_rule"}
    assert len(codes) > 60
    missing = sorted(c for c in codes if fix_for(c) is DEFAULT_FIX)
    assert not missing, f"no 怎么改 text for {missing}"
    assert all(f.how.strip() for f in FIXES.values())


def test_choose_version_prefers_fill_date_then_final_then_newest():
    d = dt.date
    i, why = choose_version([Version("新.xlsx", d(2024, 1, 9), 1.0), Version("旧(终稿).xlsx", d(2024, 1, 5), 9.0)])
    assert i == 0 and "填报日期最晚" in why
    i, why = choose_version([Version("a.xlsx", None, 9.0), Version("a(定稿).xlsx", None, 1.0)])
    assert i == 1 and "定稿" in why


# --------------------------------------------------------------------------
# a round with planted problems


def _header_col(ws, header_row: int, header: str) -> int:
    for c in ws[header_row]:
        if c.value == header:
            return c.column
    raise AssertionError(f"no header {header!r}")


@pytest.fixture(scope="module")
def round1(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback")
    sample = generate_sample(root / "src", units=4, years=(YEAR,), seed=3)
    data = root / "data"
    data.mkdir()
    units = {}
    for key, t in sample.truth.items():
        src = sample.out_dir / key
        shutil.copyfile(src, data / src.name)
        units[t["unit_current"]] = (data / src.name, t)
    names = list(units)
    missing_unit = "区总工会机关工会"  # on the roster, never sends a file
    roster = {"units": [{"name": n, "former": sorted(set(sample.renames.get(n, [])))} for n in names]}
    roster["units"].append({"name": missing_unit})
    (root / "units.yaml").write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")

    # plant two problems in one unit's 职工活动 sheet, in its first record row
    target = names[0]
    path, t = units[target]
    act = t["sheets"]["activities"]
    wb = openpyxl.load_workbook(path)
    ws = wb[act["name"]]
    row = act["records"][0]["_row"]
    date_col = _header_col(ws, act["header_row"], act["headers"]["date"])
    part_col = _header_col(ws, act["header_row"], act["headers"]["participants"])
    planted = {
        (act["name"], ws.cell(row, date_col).coordinate): ("date_invalid", ws.cell(row, date_col).value),
        (act["name"], ws.cell(row, part_col).coordinate): ("number_invalid", ws.cell(row, part_col).value),
    }
    ws.cell(row, date_col).value = "国庆前后"
    ws.cell(row, part_col).value = "很多人"
    wb.save(path)

    hostile = [
        h.old_xls(data),
        h.encrypted_xlsx(data),
        h.truncated_xlsx(data),
        h.billion_laughs(data),
        h.text_as_xlsx(data),
    ]
    (data / "_full_for_truncation.xlsx").unlink(missing_ok=True)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in data.iterdir()}
    out = root / "out"
    res = feedback(data, YEAR, out, root / "units.yaml", today=dt.date(2024, 1, 10))
    return dict(
        root=root,
        data=data,
        out=out,
        res=res,
        units=units,
        target=target,
        planted=planted,
        missing=missing_unit,
        before=before,
        hostile=hostile,
        roster=root / "units.yaml",
    )


def _rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path)["问题清单"]
    rows = list(ws.iter_rows(values_only=True))
    hi = next(i for i, r in enumerate(rows) if r[0] == "序号")
    head = rows[hi]
    return [dict(zip(head, r, strict=False)) for r in rows[hi + 1 :] if isinstance(r[0], int)]


def _texts(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(str(v) for ws in wb for r in ws.iter_rows(values_only=True) for v in r if v is not None)


def test_planted_problems_are_listed_at_their_cell(round1):
    st = {s.unit: s for s in round1["res"].statuses}[round1["target"]]
    rows = _rows(round1["out"] / st.folder / PROBLEM_LIST)
    got = {(r["工作表"], r["单元格"]): r for r in rows}
    for (sheet, cell), (code, _old) in round1["planted"].items():
        r = got[(sheet, cell)]
        assert r["怎么改"] == FIXES[code].how
        assert r["严重程度"] == "错误"  # values not understood are errors (exit-0 rule)
    sev = [r["严重程度"] for r in rows]
    assert sev == sorted(sev, key=["错误", "警告", "提示"].index)  # errors first
    assert [r["序号"] for r in rows] == list(range(1, len(rows) + 1))
    # another unit's list does not carry them
    for s in round1["res"].statuses:
        if s.folder and s.unit != round1["target"]:
            other = _rows(round1["out"] / s.folder / PROBLEM_LIST)
            assert not any(r["原值"] in ("国庆前后", "很多人") for r in other)


def test_annotated_copy_marks_the_cells_and_changes_nothing_else(round1):
    res = round1["res"]
    st = {s.unit: s for s in res.statuses}[round1["target"]]
    copy = res.annotated[st.folder]
    assert copy.name.endswith("（标注）.xlsx")
    orig = openpyxl.load_workbook(round1["units"][round1["target"]][0])
    wb = openpyxl.load_workbook(copy)
    for (sheet, cell), (code, _old) in round1["planted"].items():
        c = wb[sheet][cell]
        assert c.comment is not None and FIXES[code].how in c.comment.text
        assert c.fill.fgColor.rgb.endswith(("FFC7CE", "FFEB9C"))
    assert wb.sheetnames == orig.sheetnames
    for ws in orig:
        cp = wb[ws.title]
        for row in ws.iter_rows():
            for c in row:
                d = cp[c.coordinate]
                assert (d.value, d.number_format) == (c.value, c.number_format), c.coordinate
        for k, dim in ws.column_dimensions.items():
            assert cp.column_dimensions[k].width == dim.width


def test_originals_are_byte_identical(round1):
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in round1["data"].iterdir()}
    assert after == round1["before"]


def test_status_missing_unit_and_exit(round1):
    res = round1["res"]
    st = {s.unit: s for s in res.statuses}
    assert st[round1["missing"]].status == "未报送"
    assert st[round1["target"]].status.endswith("有问题待改") and st[round1["target"]].warnings >= 2
    assert not res.ok
    assert (round1["out"] / "报送情况.xlsx").exists() and (round1["out"] / STATE_NAME).exists()
    assert round1["missing"] in _texts(round1["out"] / "报送情况.xlsx")


def test_hostile_files_get_their_own_list(round1):
    res = round1["res"]
    for p in round1["hostile"]:
        lst = round1["out"] / p.stem / PROBLEM_LIST
        assert lst.exists(), p.name
        rows = _rows(lst)
        assert rows and all(r["怎么改"] for r in rows)
        assert any(r["严重程度"] == "错误" for r in rows)
    unreadable = [s for s in res.statuses if s.status == "文件无法读取"]
    assert len(unreadable) == len(round1["hostile"])


def test_personal_data_is_never_copied(round1):
    """No value of a personal-data column of any workbook appears in any 问题清单."""
    from gonghui_kit.feedback.problems import is_pii_column

    personal: set[str] = set()
    for path, _t in round1["units"].values():
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb:
            rows = list(ws.iter_rows(values_only=True))
            for i, r in enumerate(rows[:8]):
                cols = [j for j, v in enumerate(r) if isinstance(v, str) and is_pii_column(v)]
                for below in rows[i + 1 :]:
                    personal.update(str(below[j]) for j in cols if j < len(below) and below[j] not in (None, ""))
    # labels of subtotal and note rows are no personal data (and are words of the lists themselves)
    personal = {p for p in personal if len(p) >= 2 and not any(w in p for w in ("合计", "小计", "说明", "注"))}
    assert personal
    for lst in round1["out"].rglob(PROBLEM_LIST):
        text = _texts(lst)
        assert not [p for p in personal if p in text], lst


def test_second_round_counts_fixed_problems(round1, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(round1["data"], data)
    out = tmp_path / "out"
    shutil.copytree(round1["out"], out)
    path = data / round1["units"][round1["target"]][0].name
    wb = openpyxl.load_workbook(path)
    for (sheet, cell), (code, _old) in round1["planted"].items():  # corrected as a clerk would
        wb[sheet][cell].value = dt.datetime(YEAR, 6, 1) if code.startswith("date") else 30
    wb.save(path)
    res = feedback(data, YEAR, out, round1["roster"], today=dt.date(2024, 1, 20))
    assert res.round == 2
    st = {s.unit: s for s in res.statuses}[round1["target"]]
    first = {s.unit: s for s in round1["res"].statuses}[round1["target"]]
    assert (st.previous, st.fixed, st.new) == (first.warnings + first.errors + first.infos, 2, 0)
    text = _texts(out / st.folder / PROBLEM_LIST)
    assert "已改正 2 个" in text and "第 2 轮" in text


def test_new_problem_is_marked_new(round1, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(round1["data"], data)
    out = tmp_path / "out"
    shutil.copytree(round1["out"], out)
    (sheet, cell), _ = next(iter(round1["planted"].items()))
    path = data / round1["units"][round1["target"]][0].name
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.cell(ws[cell].row + 1, ws[cell].column).value = "某天"
    wb.save(path)
    res = feedback(data, YEAR, out, round1["roster"])
    st = {s.unit: s for s in res.statuses}[round1["target"]]
    assert st.new == 1 and st.fixed == 0
    rows = _rows(out / st.folder / PROBLEM_LIST)
    assert [r["单元格"] for r in rows if r["本轮新出现"] == "新"] == [
        ws.cell(ws[cell].row + 1, ws[cell].column).coordinate
    ]


def test_two_versions_latest_fill_date_counts(tmp_path):
    sample = generate_sample(tmp_path / "src", units=2, years=(YEAR,), seed=5, mess=False)
    data = tmp_path / "data"
    data.mkdir()
    files = [shutil.copyfile(sample.out_dir / k, data / Path(k).name) for k in sample.truth]
    first = Path(files[0])
    later = data / f"{first.stem}-修改.xlsx"
    shutil.copyfile(first, later)
    wb = openpyxl.load_workbook(later)
    ws = wb["基本信息"]
    for row in ws.iter_rows():
        for c in row:
            if c.value == "填报日期":
                ws.cell(c.row, c.column + 1).value = dt.datetime(YEAR + 1, 2, 28)
    wb.save(later)
    reg = UnitRegistry.from_dict(
        {"units": [{"name": t["unit_current"], "former": [t["unit"]]} for t in sample.truth.values()]}
    )
    res = feedback(data, YEAR, tmp_path / "out", reg)
    multi = [s for s in res.statuses if s.status.startswith("多个版本")]
    assert len(multi) == 1
    assert (
        multi[0].file == later.name
        and "填报日期最晚" in multi[0].why
        and multi[0].fill_date == dt.date(YEAR + 1, 2, 28)
    )
    assert multi[0].ignored == [f"{first.name}（较早的版本）"]


def test_cli_feedback(round1, tmp_path, capsys):
    rc = main(
        [
            "feedback",
            str(round1["data"]),
            "--year",
            str(YEAR),
            "--out",
            str(tmp_path / "o"),
            "--units",
            str(round1["roster"]),
        ]
    )
    assert rc == 1  # a roster unit has not reported
    text = capsys.readouterr().out
    assert "未报送" in text and round1["missing"] in text and "报送情况" in text


def test_unit_status_of_a_loaded_ledger(round1):
    """The archive's view: per unit its status, the file used and its 填报日期."""
    from gonghui_kit.feedback import unit_status
    from gonghui_kit.ingest.load import load_ledgers

    reg = UnitRegistry.from_yaml(round1["roster"])
    st = {s.unit: s for s in unit_status(load_ledgers(round1["data"], year=YEAR, registry=reg), reg)}
    assert st[round1["missing"]].status == "未报送" and st[round1["missing"]].file is None
    target = st[round1["target"]]
    assert target.reported and target.file.endswith(round1["units"][round1["target"]][0].name)
    assert isinstance(target.fill_date, dt.date)
