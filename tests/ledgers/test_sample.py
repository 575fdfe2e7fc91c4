"""The sample generator: realistic ledgers, every planted mess, exact truth."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from gonghui_kit.ledgers.sample import (
    ANOMALY_KINDS,
    MESS_KINDS,
    generate_sample,
    read_truth,
    truth_to_json,
    unit_profiles,
)
from gonghui_kit.schema import load_schema, norm_key

SCHEMA = load_schema()
RECORD_KEYS = [s.key for s in SCHEMA.record_sheets]


@pytest.fixture(scope="session")
def sample(sample_result):
    return sample_result[1]


def _grid(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _info(ws) -> dict[str, object]:
    """基本信息 by column key, resolving key aliases and a trailing colon."""
    names = {norm_key(n): c.key for c in SCHEMA.sheet("info").columns for n in c.names}
    return {names[norm_key(a)]: b for a, b, *_ in ws.iter_rows(values_only=True) if norm_key(a) in names}


def _year(v) -> int:
    return int(re.search(r"\d{4}", str(v)).group(0))


# --------------------------------------------------------------------------
# files


def test_layout_one_workbook_per_unit_and_year(sample, sample_dir):
    assert len(sample.files) == 12 * 3
    assert len(set(sample.files)) == len(sample.files)
    for f in sample.files:
        assert f.exists() and f.suffix == ".xlsx"
        assert f.parent.parent == sample_dir and f.parent.name in {"2022", "2023", "2024"}
        assert not re.search(r'[\\/:*?"<>|]', f.name), f.name
    assert set(sample.truth) == {f.relative_to(sample_dir).as_posix() for f in sample.files}
    assert not list(sample_dir.rglob("_truth")), "truth must not be written by default"
    assert not list(sample_dir.rglob("*.tmp")) and not list(sample_dir.rglob(".~*"))


def test_file_names_are_free_text(sample):
    patterns = {
        Path(rel).name.replace(t["unit"], "<单位>").replace(str(t["year"]), "<年>") for rel, t in sample.truth.items()
    }
    assert len(patterns) >= 4, patterns
    assert any("(1)" in p or "终稿" in p or "改" in p for p in patterns)


def test_workbooks_open_and_info_names_unit_and_year(sample, sample_dir):
    for rel, t in sample.truth.items():
        wb = openpyxl.load_workbook(sample_dir / rel, data_only=True)
        assert wb.sheetnames[0] == "基本信息"
        info = _info(wb["基本信息"])
        assert info["unit_name"] == t["unit"] == t["info"]["unit_name"]
        assert _year(info["year"]) == t["year"] == int(Path(rel).parts[0])
        assert int(re.sub(r"\D", "", str(info["employees"]))) == t["info"]["employees"] > 0
        for key, s in t["sheets"].items():
            assert s["name"] in wb.sheetnames
            assert SCHEMA.sheet_for_name(s["name"]).key == key
        for key in t["absent"]:
            assert key not in t["sheets"]
            assert not any(n in wb.sheetnames for n in SCHEMA.sheet(key).names)


def test_headers_are_where_the_truth_says(sample, sample_dir):
    for rel, t in list(sample.truth.items())[::5]:
        wb = openpyxl.load_workbook(sample_dir / rel, data_only=True)
        for key, s in t["sheets"].items():
            header = [v for v in _grid(wb[s["name"]])[s["header_row"] - 1] if v is not None]
            assert header == list(s["headers"].values())
            sheet = SCHEMA.sheet(key)
            for col_key, h in s["headers"].items():
                assert norm_key(h) in {norm_key(n) for n in sheet.column(col_key).names}
            for col_key, scale in s["scale"].items():
                assert "万元" in s["headers"][col_key] and scale == 10000.0


# --------------------------------------------------------------------------
# units and trends


def test_unit_mix_and_sizes(sample):
    kinds = Counter(t["kind"] for t in sample.truth.values())
    assert set(kinds) == {"企业", "学校", "幼儿园", "机关"}
    staff = [t["info"]["employees"] for t in sample.truth.values()]
    assert min(staff) <= 30 and max(staff) >= 800
    assert [p.kind for p in unit_profiles(4)] == ["企业", "学校", "幼儿园", "机关"]
    many = unit_profiles(30)
    assert len({p.name for p in many}) == 30 and many[12].name.startswith("东区")


def test_one_unit_renamed_in_last_year(sample):
    assert sample.renames == {"动力分厂分工会": ["动力车间分工会"]}
    by_year = {t["year"]: t for t in sample.truth.values() if t["unit_current"] == "动力分厂分工会"}
    assert {y: t["unit"] for y, t in by_year.items()} == {
        2022: "动力车间分工会",
        2023: "动力车间分工会",
        2024: "动力分厂分工会",
    }
    assert "动力分厂分工会" in sample.units and "动力车间分工会" not in sample.units
    assert len(sample.units) == 12


def _members_total(t) -> int:
    end = dt.date(t["year"], 12, 31)
    return sum(
        1
        for m in t["sheets"]["members"]["records"]
        if m["join_date"] <= end and (m["leave_date"] is None or m["leave_date"] > end)
    )


def test_membership_rates(sample):
    last = {t["unit_current"]: t for t in sample.truth.values() if t["year"] == 2024}
    rates = {u: _members_total(t) / t["info"]["employees"] for u, t in last.items()}
    assert all(0.8 <= r <= 1.0 for r in rates.values()), rates
    assert 1 <= sum(r < 0.9 for r in rates.values()) <= 3, rates
    assert sum(r >= 0.92 for r in rates.values()) >= 9, rates


def test_trends_one_unit_grows_one_declines(sample):
    acts = {}
    for t in sample.truth.values():
        acts.setdefault(t["unit_current"], {})[t["year"]] = len(t["sheets"]["activities"]["records"])
    growth = {u: a[2024] / a[2022] for u, a in acts.items()}
    assert max(growth.values()) >= 1.5, growth
    assert min(growth.values()) <= 0.7, growth


def test_proposals_close_rates_differ(sample):
    rates = []
    for t in sample.truth.values():
        acc = [p for p in t["sheets"].get("proposals", {}).get("records", []) if p["accepted"] == "是"]
        if acc:
            rates.append(sum(p["status"] == "已办结" for p in acc) / len(acc))
    assert 1.0 in rates and min(rates) < 0.8


def test_kindergarten_has_no_proposals_sheet(sample):
    for t in sample.truth.values():
        if t["kind"] == "幼儿园":
            assert "proposals" in t["absent"]


def test_high_level_publicity_and_awards_occur(sample):
    levels = Counter(r["level"] for _, r in sample.records("publicity"))
    assert levels["省级"] + levels["国家级"] >= 3
    assert Counter(r["level"] for _, r in sample.records("awards"))["省部级"] >= 2


def test_cash_gifts_for_standards_checks(sample):
    hits = list(sample.anomalies("cash_gift"))
    assert {t["unit_current"] for t, _ in hits} >= {"区财政局机关工会", "销售公司分工会"}
    for t, a in hits:
        rec = next(r for r in t["sheets"]["care"]["records"] if r["_row"] == a["row"])
        assert rec["form"] == "现金" and rec["reason"] in ("节日慰问", "生日")
        assert rec["amount"] / rec["visits"] >= 500


# --------------------------------------------------------------------------
# mess and anomalies


def test_every_mess_kind_is_planted(sample):
    counts = sample.mess_counts()
    assert [k for k in MESS_KINDS if not counts.get(k)] == []
    assert set(counts) <= set(MESS_KINDS)


def test_every_anomaly_kind_is_listed(sample):
    kinds = Counter(a["kind"] for _, a in sample.anomalies())
    assert set(kinds) == set(ANOMALY_KINDS)
    for _, a in sample.anomalies():
        assert a["counted"] is ANOMALY_KINDS[a["kind"]]


def test_anomaly_rows_hold_what_they_say(sample, sample_dir):
    subtotal = {norm_key(w) for w in SCHEMA.subtotal_words}
    for rel, t in sample.truth.items():
        if not t["anomalies"]:
            continue
        wb = openpyxl.load_workbook(sample_dir / rel, data_only=True)
        for a in t["anomalies"]:
            ws = wb[a["sheet"]]
            row = [c.value for c in ws[a["row"]]]
            text = [norm_key(v) for v in row if isinstance(v, str)]
            records = {r["_row"] for r in t["sheets"][a["sheet_key"]]["records"]}
            assert (a["row"] in records) is a["counted"], a
            if a["kind"] == "subtotal":
                assert subtotal & set(text), row
            elif a["kind"] == "note":
                assert len([v for v in row if v is not None]) == 1
                assert str(a["raw"]).startswith(("填表说明", "制表人")) and a["raw"] in row
            elif a["kind"] == "duplicate":
                assert row == [c.value for c in ws[a["of_row"]]] and a["of_row"] < a["row"]
                assert a["of_row"] in records
            elif a["kind"] == "hidden_row":
                assert ws.row_dimensions[a["row"]].hidden
            elif a["kind"] == "other_year":
                year = a["value"][0] if isinstance(a["value"], tuple) else a["value"].year
                assert year == t["year"] - 1 and a["raw"] is not None
            elif a["kind"] == "no_date":
                rec = next(r for r in t["sheets"][a["sheet_key"]]["records"] if r["_row"] == a["row"])
                assert rec["date"] is None
            elif a["kind"] in ("unknown_category", "approx_number"):
                assert a["raw"] in row and a["header"] == t["sheets"][a["sheet_key"]]["headers"][a["column"]]


def test_formulas_have_cached_values(sample, sample_dir):
    checked = 0
    for rel, t in sample.truth.items():
        if not t["mess"].get("formula_cached"):
            continue
        formulas = openpyxl.load_workbook(sample_dir / rel)
        values = openpyxl.load_workbook(sample_dir / rel, data_only=True)
        for ws in formulas.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        cached = values[ws.title][c.coordinate].value
                        assert isinstance(cached, (int, float)), (rel, ws.title, c.coordinate)
                        checked += 1
    assert checked >= 1


def test_hidden_rows_and_merged_titles_exist(sample, sample_dir):
    merged = hidden = 0
    for rel, t in sample.truth.items():
        if not (t["mess"].get("title_rows") or t["mess"].get("hidden_row")):
            continue
        wb = openpyxl.load_workbook(sample_dir / rel)
        for ws in wb.worksheets:
            merged += len(ws.merged_cells.ranges)
            hidden += sum(1 for d in ws.row_dimensions.values() if d.hidden)
    assert merged >= 1 and hidden >= 1


# --------------------------------------------------------------------------
# truth values


def test_records_per_sheet(sample):
    for key in RECORD_KEYS:
        assert sum(1 for _ in sample.records(key)) > 0, key


def test_truth_values_are_canonical(sample):
    expense, income = SCHEMA.accounts["expense"], SCHEMA.accounts["income"]
    for t in sample.truth.values():
        for key, s in t["sheets"].items():
            sheet = SCHEMA.sheet(key)
            assert set(s["records"][0] if s["records"] else {"_row": 0}) <= {"_row", *sheet.column_keys}
            for r in s["records"]:
                assert r["_row"] > s["header_row"]
                for c in sheet.columns:
                    v = r[c.key]
                    if v is None:
                        continue
                    if c.type in ("category", "yesno"):
                        assert v in SCHEMA.categories[c.categories].labels, (key, c.key, v)
                    elif c.type == "date":
                        assert isinstance(v, dt.date) or (isinstance(v, tuple) and len(v) == 2), v
                    elif c.type == "count":
                        assert isinstance(v, int) and v >= 0
                    elif c.type in ("money", "number"):
                        assert isinstance(v, float) and v >= 0
                if key == "funds":
                    assert (r["direction"], r["account"] in (income if r["direction"] == "收入" else expense)) == (
                        r["direction"],
                        True,
                    )
                if sheet.date_column and isinstance(r[sheet.date_column], dt.date):
                    assert r[sheet.date_column].year == t["year"]


def test_truth_covers_every_spelling(sample):
    """The canonical side of the mess: month-only dates, missing values, 其他 from unknown labels."""
    month_only = [r for _, r in sample.records("activities") if isinstance(r["date"], tuple)]
    assert month_only and all(r["date"][0] in (2022, 2023, 2024) for r in month_only)
    assert any(r["amount"] is None for _, r in sample.records("activities"))
    legacy = [r for _, r in sample.records("funds") if r["account"] in ("对附属单位的支出", "附属单位上缴收入")]
    assert legacy
    for t, a in sample.anomalies("unknown_category"):
        rec = next(r for r in t["sheets"][a["sheet_key"]]["records"] if r["_row"] == a["row"])
        assert rec[a["column"]] == "其他"


def test_subtotal_and_duplicate_rows_are_not_records(sample):
    for t in sample.truth.values():
        excluded = {(a["sheet_key"], a["row"]) for a in t["anomalies"] if not a["counted"]}
        for key, s in t["sheets"].items():
            assert not excluded & {(key, r["_row"]) for r in s["records"]}


def test_records_are_unique_within_a_sheet(sample):
    for t in sample.truth.values():
        for key, s in t["sheets"].items():
            rows = [tuple((k, v) for k, v in r.items() if k != "_row") for r in s["records"]]
            assert len(rows) == len(set(rows)), (t["file"], key)


def test_personal_data_is_invented(sample):
    for _, m in sample.records("members"):
        assert "某" in m["name"]
        assert re.fullmatch(r"3201\d{14}", m["id_number"])
        assert re.fullmatch(r"15\d{9}", m["phone"])
    for _, p in sample.records("proposals"):
        assert "某" in p["proposer"]


# --------------------------------------------------------------------------
# determinism, options, speed


def _cells(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, _grid(ws)) for ws in wb.worksheets]


def test_same_seed_same_sample(tmp_path):
    a = generate_sample(tmp_path / "a", units=4, years=(2023, 2024), seed=7)
    b = generate_sample(tmp_path / "b", units=4, years=(2023, 2024), seed=7)
    c = generate_sample(tmp_path / "c", units=4, years=(2023, 2024), seed=8)
    assert list(a.truth) == list(b.truth)
    assert [truth_to_json(t) for t in a.truth.values()] == [truth_to_json(t) for t in b.truth.values()]
    for fa, fb in zip(a.files, b.files, strict=False):
        assert _cells(fa) == _cells(fb)
    assert [truth_to_json(t) for t in a.truth.values()] != [truth_to_json(t) for t in c.truth.values()]


def test_write_truth_round_trips(tmp_path):
    res = generate_sample(tmp_path, units=2, years=(2024,), seed=1, write_truth=True)
    for rel, t in res.truth.items():
        path = tmp_path / "2024" / "_truth" / (Path(rel).stem + ".json")
        assert path.exists()
        assert read_truth(path) == t


def test_mess_false_gives_clean_ledgers(tmp_path):
    res = generate_sample(tmp_path, units=4, years=(2023,), mess=False)
    for rel, t in res.truth.items():
        assert t["absent"] == [] and set(t["sheets"]) == set(RECORD_KEYS)
        assert {a["kind"] for a in t["anomalies"]} <= {"cash_gift"}
        assert t["mess"] == {}
        wb = openpyxl.load_workbook(tmp_path / rel)
        assert wb.sheetnames == [s.label for s in SCHEMA.sheets]
        for s in SCHEMA.record_sheets:
            assert [c.value for c in wb[s.label][1]] == [c.label for c in s.columns]
            assert t["sheets"][s.key]["header_row"] == 1


def test_all_kinds_even_in_a_tiny_sample(tmp_path):
    res = generate_sample(tmp_path, units=1, years=(2023,), seed=3)
    counts = res.mess_counts()
    missing = [k for k in MESS_KINDS if not counts.get(k)]
    # a single 企业 workbook can hold everything except a missing sheet for a kindergarten
    assert missing == [], missing


def test_more_units_than_base(tmp_path):
    res = generate_sample(tmp_path, units=14, years=(2024,))
    assert len(res.files) == 14 and len(res.units) == 14
    assert "东区机修分工会" in res.units


def test_rows_per_workbook_knob(tmp_path):
    res = generate_sample(tmp_path, units=2, years=(2024,), rows_per_workbook=1500, mess=False)
    for t in res.truth.values():
        assert 1000 <= t["n_rows"] <= 2200, t["n_rows"]
    small = generate_sample(tmp_path / "s", units=1, years=(2024,), size=0.2)
    big = generate_sample(tmp_path / "b", units=1, years=(2024,), size=2)
    assert next(iter(big.truth.values()))["n_rows"] > 5 * next(iter(small.truth.values()))["n_rows"]


@pytest.mark.slow
def test_default_sample_is_fast(tmp_path):
    t0 = time.perf_counter()
    generate_sample(tmp_path)
    assert time.perf_counter() - t0 < 15
