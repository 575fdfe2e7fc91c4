"""The blank ledger template: canonical sheets, headers, formats, drop-downs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from gonghui_kit.ledgers.template import (
    GUIDE_SHEET,
    TEMPLATE_ROWS,
    build_template,
    column_choices,
    fill_template_example,
    write_template,
)
from gonghui_kit.schema import load_schema

SCHEMA = load_schema()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "台账模板.xlsx", unit="机修分工会", year=2024)


@pytest.fixture(scope="module")
def wb(template):
    return openpyxl.load_workbook(template)


def _list_validations(ws) -> dict[str, list[str]]:
    """Column letter -> the labels of the list validation covering it."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        labels = dv.formula1.strip('"').split(",")
        for rng in str(dv.sqref).split():
            first, last = rng.split(":")
            letter = first.rstrip("0123456789")
            assert letter == last.rstrip("0123456789")
            assert first[len(letter) :] == "2" and int(last[len(letter) :]) >= TEMPLATE_ROWS + 1
            assert letter not in out, f"two validations on column {letter}"
            out[letter] = labels
    return out


def test_written_atomically(template):
    assert template.exists() and template.name == "台账模板.xlsx"
    assert [p.name for p in template.parent.iterdir()] == ["台账模板.xlsx"]


def test_every_schema_sheet_with_canonical_headers(wb):
    assert wb.sheetnames == [GUIDE_SHEET] + [s.label for s in SCHEMA.sheets]
    for s in SCHEMA.record_sheets:
        ws = wb[s.label]
        header = [c.value for c in ws[1]]
        assert header == [c.label for c in s.columns]
        for cell in ws[1]:
            assert cell.font.bold and cell.fill.fill_type == "solid"
        assert ws.freeze_panes == "A2"
        assert ws.max_row <= TEMPLATE_ROWS + 1
        assert all(ws.cell(row=r, column=1).value is None for r in range(2, 20))


def test_info_sheet_keys_and_prefill(wb):
    ws = wb["基本信息"]
    info = SCHEMA.sheet("info")
    assert [ws.cell(row=i, column=1).value for i in range(1, len(info.columns) + 1)] == [c.label for c in info.columns]
    assert ws["B1"].value == "机修分工会" and ws["B2"].value == 2024
    assert all(ws.cell(row=i, column=2).value is None for i in range(3, len(info.columns) + 1))


def test_blank_info_without_unit_and_year(tmp_path):
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    assert wb["基本信息"]["A1"].value == "单位名称" and wb["基本信息"]["B1"].value is None


def test_every_categorical_column_has_exactly_the_schema_labels(wb):
    accounts = [*SCHEMA.accounts["income"], *SCHEMA.accounts["expense"]]
    seen = 0
    for s in SCHEMA.record_sheets:
        lists = _list_validations(wb[s.label])
        expected = {}
        for j, c in enumerate(s.columns, 1):
            letter = openpyxl.utils.get_column_letter(j)
            if c.type == "account":
                expected[letter] = accounts
            elif c.type in ("category", "yesno"):
                expected[letter] = SCHEMA.categories[c.categories].labels
        assert lists == expected, s.label
        seen += len(expected)
    assert seen >= 14
    funds = SCHEMA.sheet("funds")
    assert column_choices(funds, funds.column("direction")) == ["收入", "支出"]
    assert column_choices(funds, funds.column("account")) == accounts
    assert column_choices(funds, funds.column("summary")) is None


def test_validations_reject_other_values(wb):
    for s in SCHEMA.record_sheets:
        for dv in wb[s.label].data_validations.dataValidation:
            if dv.type == "list":
                assert dv.showErrorMessage and dv.allow_blank and dv.error


def test_number_formats(wb):
    for s in SCHEMA.record_sheets:
        ws = wb[s.label]
        for j, c in enumerate(s.columns, 1):
            for r in (2, TEMPLATE_ROWS + 1):
                fmt = ws.cell(row=r, column=j).number_format
                if c.type == "date":
                    assert fmt == "yyyy-mm-dd"
                elif c.type == "money":
                    assert fmt == "#,##0.00"
                elif c.type == "count":
                    assert fmt == "0"
    members = wb["会员名册"]
    for key in ("id_number", "phone"):
        j = SCHEMA.sheet("members").column_keys.index(key) + 1
        assert members.cell(row=2, column=j).number_format == "@"
    assert all(wb["活动台账"].column_dimensions[x].width >= 8 for x in "ABCDEFG")


def test_guide_sheet_explains_sheets_columns_and_rules(wb):
    ws = wb[GUIDE_SHEET]
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    for s in SCHEMA.sheets:
        assert s.label in text
        for c in s.columns:
            assert c.label in text
    for phrase in ("合计", "一行只填一条记录", "2024-07-01", "个人信息", "不得外传", "下拉", "元"):
        assert phrase in text, phrase
    for label in SCHEMA.categories["activity_category"].labels + list(SCHEMA.accounts["expense"]):
        assert label in text


def test_overwrite_keeps_old_file_when_save_fails(tmp_path, monkeypatch):
    path = write_template(tmp_path / "t.xlsx", unit="甲", year=2023)
    before = path.read_bytes()

    def boom(self, target):  # the workbook is saved into the atomic writer's open temp file
        target.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(OSError):
        write_template(path, unit="乙", year=2024)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_build_template_rows_option():
    wb = build_template(rows=10)
    ws = wb["活动台账"]
    assert ws.cell(row=11, column=1).number_format == "yyyy-mm-dd"
    assert ws.cell(row=12, column=1).number_format == "General"


def test_fill_template_example_round_trips_through_openpyxl(tmp_path):
    path = tmp_path / "example.xlsx"
    expected = fill_template_example(path, unit="示例分工会", year=2024)
    assert expected["info"]["unit_name"] == "示例分工会" and expected["info"]["year"] == 2024
    wb = openpyxl.load_workbook(path)
    assert wb["基本信息"]["B1"].value == "示例分工会"
    for s in SCHEMA.record_sheets:
        records = expected["records"][s.key]
        assert records, s.key
        ws = wb[s.label]
        for rec in records:
            for j, c in enumerate(s.columns, 1):
                got = ws.cell(row=rec["_row"], column=j).value
                want = rec[c.key]
                if isinstance(want, dt.date):
                    got = got.date()
                assert got == want, (s.key, c.key)
                if want is not None and c.type in ("category", "yesno"):
                    assert want in SCHEMA.categories[c.categories].labels
                if want is not None and c.type == "account":
                    assert want in SCHEMA.accounts["income"] or want in SCHEMA.accounts["expense"]
                if c.type == "date" and want is not None and s.date_column == c.key:
                    assert want.year == 2024


def test_filled_template_checks_clean(tmp_path, capsys, monkeypatch):
    """template → filled in correctly → gonghui check → no findings at all,
    and every filled record is loaded with its value."""
    from gonghui_kit.cli import main

    # the analyst's own roster lists the unit (without one the shipped sample
    # roster is used, and the unit would rightly be "not in the roster")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "units.yaml").write_text("units:\n  - name: 示例分工会\n    kind: 企业\n", encoding="utf-8")
    from gonghui_kit.ingest.load import load_ledgers

    path = tmp_path / "2024年示例分工会台账.xlsx"
    expected = fill_template_example(path, unit="示例分工会", year=2024)
    assert main(["check", str(path), "--format", "json", "--year", "2024"]) == 0
    import json

    findings = json.loads(capsys.readouterr().out)
    assert findings == [], findings
    ledger = load_ledgers(path, year=2024)
    assert ledger.units == ["示例分工会"]
    for key, records in expected["records"].items():
        assert len(ledger.tables[key]) == len(records), key
