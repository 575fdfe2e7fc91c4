"""A blank ledger template (台账模板) built from the schema.

``write_template(path)`` writes a workbook that people can fill in without
producing any of the mess of spec §3: every sheet of the schema with its
canonical name and headers in row 1 (bold, filled, frozen), the 基本信息
key/value sheet, date/money/count number formats, text format for ID numbers
and phone numbers, drop-down lists (data validation) on every categorical
column with exactly the schema's canonical labels, and a 填表说明 sheet in
Chinese.  The 填表说明 sheet is not a data sheet; the loader ignores sheets
it does not know.

``fill_template_example(path)`` writes the same template with a few correct
rows and returns those rows as canonical records, for round-trip tests and
demos.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from gonghui_kit.atomic import atomic_write
from gonghui_kit.schema import Column, Schema, Sheet, load_schema

__all__ = [
    "GUIDE_SHEET",
    "TEMPLATE_ROWS",
    "build_template",
    "column_choices",
    "fill_template_example",
    "write_template",
]

#: Name of the instructions sheet (not a data sheet).
GUIDE_SHEET = "填表说明"
#: Rows below the header that get number formats and drop-down lists.
TEMPLATE_ROWS = 500

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_PII_FILL = PatternFill("solid", fgColor="FCE4D6")  # personal data columns
_WRAP = Alignment(wrap_text=True, vertical="top")

_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "money": "#,##0.00", "count": "0", "number": "0.0"}
_TEXT_FORMAT = "@"  # ID numbers, phones, voucher numbers: never 3.2E+17
_TEXT_COLUMNS = {("members", "id_number"), ("members", "phone"), ("funds", "voucher"), ("proposals", "number")}
_LIST_LIMIT = 255  # Excel's limit for an inline list in a data validation

_SHEET_HELP = {
    "info": "本单位基本情况。A列为项目名称（请勿修改），B列填写内容，每项一行。",
    "members": "本年度会员名册，每位会员一行；本年转出、退休、除名的会员也要保留，并填写离会日期和状态。",
    "activities": "本年度组织的职工活动，每场活动一行。",
    "funds": "本年度工会经费收支明细，每笔收入或支出一行（按记账凭证逐笔登记）。",
    "care": "本年度慰问和帮扶，每次（每批）慰问一行。",
    "proposals": "本年度职代会提案及办理情况，每件提案一行。",
    "publicity": "本年度宣传报道，每次（每批）宣传一行。",
    "training": "本年度培训学习，每期培训一行。",
    "awards": "本年度获得的荣誉表彰，每项荣誉一行。",
}

_COLUMN_HELP = {
    ("info", "unit_name"): "工会全称，如“机修分工会”（以此为准，文件名可随意）",
    ("info", "year"): "台账所属年度，四位数字，如 2024",
    ("info", "parent_union"): "上级工会名称",
    ("info", "employees"): "年末在职职工人数（整数）",
    ("info", "members"): "年末会员人数（整数，与会员名册核对；未报送会员名册时按此计）",
    ("info", "chair"): "工会主席姓名",
    ("info", "filler"): "填报人姓名",
    ("info", "fill_date"): "填报日期",
    ("members", "name"): "会员姓名",
    ("members", "gender"): "性别",
    ("members", "birth_date"): "出生日期（只知道年月时可写“1985年7月”）",
    ("members", "join_date"): "加入工会的日期",
    ("members", "leave_date"): "转出、退休或除名的日期；仍在册的留空",
    ("members", "status"): "会员状态",
    ("members", "id_number"): "18位身份证号（单元格为文本格式）",
    ("members", "phone"): "手机号码（单元格为文本格式）",
    ("members", "department"): "所在部门或班组",
    ("activities", "date"): "活动日期",
    ("activities", "name"): "活动名称",
    ("activities", "category"): "活动类别，没有合适的选“其他”",
    ("activities", "participants"): "参与人数（人次）",
    ("activities", "amount"): "活动支出，单位：元；没有支出的留空",
    ("activities", "department"): "组织部门",
    ("activities", "note"): "备注",
    ("funds", "date"): "记账日期",
    ("funds", "direction"): "收入或支出",
    ("funds", "account"): "一级会计科目；明细（如文体活动、送温暖）写在摘要里",
    ("funds", "amount"): "金额，单位：元，填正数",
    ("funds", "summary"): "摘要",
    ("funds", "voucher"): "记账凭证号",
    ("care", "date"): "慰问日期",
    ("care", "recipient"): "慰问对象姓名，或“全体会员”等群体",
    ("care", "reason"): "慰问事由",
    ("care", "visits"): "慰问人次",
    ("care", "amount"): "慰问金额或实物折合金额，单位：元",
    ("care", "form"): "现金（含购物卡、消费卡等）或实物",
    ("proposals", "number"): "提案编号",
    ("proposals", "date"): "提案提出日期",
    ("proposals", "proposer"): "提案人（代表）姓名",
    ("proposals", "title"): "提案标题（案由）",
    ("proposals", "category"): "提案类别，如生产经营、民主管理、职工福利",
    ("proposals", "accepted"): "是否立案",
    ("proposals", "status"): "办理状态",
    ("proposals", "reply_date"): "答复（办结）日期；未办结的留空",
    ("publicity", "date"): "发布日期",
    ("publicity", "form"): "宣传形式",
    ("publicity", "level"): "发布媒体或载体的级别",
    ("publicity", "quantity"): "篇数、期数或块数",
    ("publicity", "title"): "标题或内容",
    ("training", "date"): "培训日期（多日培训填开始日期）",
    ("training", "name"): "培训项目名称",
    ("training", "type"): "培训类型",
    ("training", "hours"): "每人学时，可带小数，如 1.5",
    ("training", "participants"): "参训人数",
    ("awards", "date"): "表彰日期",
    ("awards", "name"): "荣誉名称",
    ("awards", "level"): "授予单位的级别",
    ("awards", "recipient"): "集体或个人",
    ("awards", "grade"): "等次，如一等奖；没有的留空",
}

_TYPE_HELP = {
    "date": "日期，格式 2024-07-01",
    "count": "整数，只填阿拉伯数字，不带“人”“约”“余”等字",
    "money": "金额（元），只填数字，最多两位小数，不写“元”“万元”",
    "number": "数字，可带小数",
    "category": "从下拉列表选择",
    "yesno": "从下拉列表选择",
    "account": "从下拉列表选择",
    "text": "文字",
}

_GENERAL_RULES = (
    "1. 每个单位每年填写一个文件。单位名称和年度以“基本信息”表为准，文件名可以随意。",
    "2. 请勿修改工作表名称和第1行表头，请勿增加、删除或调换列。",
    "3. 一行只填一条记录。不要合并单元格，不要在表格中插入标题行、空行、备注行，"
    "也不要添加“合计”“小计”“总计”行——合计由系统自动计算。",
    "4. 日期统一写成 2024-07-01 的格式（日期列已设置好格式）。只知道年月时写“2024年7月”。",
    "5. 数字列只填阿拉伯数字：不要写“约50人”“50余人”“300元”“1.2万”。金额一律以元为单位。",
    "6. 带下拉箭头的列请从列表中选择；列表里没有的情况选“其他”。",
    "7. 不知道或不适用的内容请留空，不要填“无”“—”“/”或 0。"
    "人次、数量留空按 1 计；是否立案留空按“是”计；会员状态留空按“在册”计。",
    "8. 本年没有发生的事项（例如没有获奖），保留只有表头的空表即可，不要删除工作表。",
    "9. 身份证号、联系电话列已设为文本格式，请直接输入，避免变成科学计数法。",
    "10. 个人信息（姓名、身份证号、联系电话、慰问对象、提案人，表头为橙色的列）仅在本单位"
    "留存和按规定报送，不得外传；系统生成的报告和图表只使用汇总数字，不会显示个人信息。",
)


# --------------------------------------------------------------------------
# helpers


def column_choices(sheet: Sheet, column: Column, schema: Schema | None = None) -> list[str] | None:
    """Canonical labels a categorical column accepts (its drop-down list), or
    None for a free column.  科目 lists every income and expense account.

    >>> s = load_schema()
    >>> column_choices(s.sheet("funds"), s.sheet("funds").column("direction"))
    ['收入', '支出']
    >>> column_choices(s.sheet("proposals"), s.sheet("proposals").column("accepted"))
    ['是', '否']
    """
    schema = schema or load_schema()
    if column.type == "account":
        return [*schema.accounts["income"], *schema.accounts["expense"]]
    if column.type in ("category", "yesno") and column.categories:
        return schema.categories[column.categories].labels
    return None


def _display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _column_width(sheet: Sheet, column: Column, choices: list[str] | None) -> float:
    width = {"date": 12, "money": 14, "count": 10, "number": 8, "text": 14}.get(column.type, 12)
    if choices:
        width = max(width, max(_display_width(c) for c in choices) + 4)
    if (sheet.key, column.key) in _TEXT_COLUMNS:
        width = max(width, 21 if column.key == "id_number" else 14)
    if column.key in ("name", "title", "summary", "note") and column.type == "text":
        width = max(width, 26)
    return max(width, _display_width(column.label) + 4)


def _help_text(sheet: Sheet, column: Column) -> str:
    parts = [_COLUMN_HELP.get((sheet.key, column.key), column.label)]
    if (sheet.key, column.key) in _TEXT_COLUMNS:
        parts.append("文本格式")
    else:
        parts.append(_TYPE_HELP.get(column.type, "文字"))
    if column.blank is not None:
        parts.append(f"留空视为“{column.blank}”")
    if column.required:
        parts.append("必填")
    return "；".join(parts)


def _choices_text(sheet: Sheet, column: Column, schema: Schema) -> str:
    if column.type == "account":
        return "收入：" + "、".join(schema.accounts["income"]) + "\n支出：" + "、".join(schema.accounts["expense"])
    choices = column_choices(sheet, column, schema)
    return "、".join(choices) if choices else ""


# --------------------------------------------------------------------------
# sheets


def _list_validation(wb: Workbook, choices: list[str]) -> DataValidation:
    formula = '"' + ",".join(choices) + '"'
    if len(formula) - 2 > _LIST_LIMIT:  # too long for an inline list: refer to a hidden sheet
        ws = wb["下拉选项"] if "下拉选项" in wb.sheetnames else wb.create_sheet("下拉选项")
        ws.sheet_state = "hidden"
        col = ws.max_column + 1 if ws.max_row > 1 or ws["A1"].value is not None else 1
        for i, c in enumerate(choices, 1):
            ws.cell(row=i, column=col, value=c)
        letter = get_column_letter(col)
        formula = f"'下拉选项'!${letter}$1:${letter}${len(choices)}"
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="输入有误",
        error="请从下拉列表中选择。",
        promptTitle="请选择",
        prompt="点击右侧箭头，从列表中选择",
    )
    return dv


def _info_sheet(wb: Workbook, schema: Schema, unit: str | None, year: int | None) -> None:
    sheet = schema.sheet("info")
    ws = wb.create_sheet(sheet.label)
    prefill: dict[str, Any] = {"unit_name": unit, "year": year}
    for i, c in enumerate(sheet.columns, 1):
        key = ws.cell(row=i, column=1, value=c.label)
        key.font = _HEADER_FONT
        key.fill = _PII_FILL if c.pii else _HEADER_FILL
        value = ws.cell(row=i, column=2, value=prefill.get(c.key))
        if c.type in _NUMBER_FORMATS:
            value.number_format = _NUMBER_FORMATS[c.type]
        if c.type in ("count",):
            dv = DataValidation(
                type="whole",
                operator="between",
                formula1="2000" if c.key == "year" else "0",
                formula2="2100" if c.key == "year" else "1000000",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="输入有误",
                error="请填写整数（年度为四位数字）。",
            )
            ws.add_data_validation(dv)
            dv.add(value.coordinate)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 30


def _record_sheet(wb: Workbook, schema: Schema, sheet: Sheet, rows: int) -> None:
    ws = wb.create_sheet(sheet.label)
    last = rows + 1
    for j, c in enumerate(sheet.columns, 1):
        cell = ws.cell(row=1, column=j, value=c.label)
        cell.font = _HEADER_FONT
        cell.fill = _PII_FILL if c.pii else _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(j)
        choices = column_choices(sheet, c, schema)
        ws.column_dimensions[letter].width = _column_width(sheet, c, choices)
        fmt = _TEXT_FORMAT if (sheet.key, c.key) in _TEXT_COLUMNS else _NUMBER_FORMATS.get(c.type)
        if fmt:
            for r in range(2, last + 1):
                ws.cell(row=r, column=j).number_format = fmt
        if choices:
            dv = _list_validation(wb, choices)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")
    ws.freeze_panes = "A2"


def _guide_sheet(wb: Workbook, schema: Schema) -> None:
    ws = wb.create_sheet(GUIDE_SHEET, 0)
    ws.append(["工会台账填表说明"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["一、总体要求"])
    ws.cell(row=ws.max_row, column=1).font = _HEADER_FONT
    for rule in _GENERAL_RULES:
        ws.append([rule])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
        ws.cell(row=ws.max_row, column=1).alignment = _WRAP
        ws.row_dimensions[ws.max_row].height = 15 * (1 + _display_width(rule) // 110)
    ws.append([])
    ws.append(["二、各工作表和各列的填写要求"])
    ws.cell(row=ws.max_row, column=1).font = _HEADER_FONT
    ws.append(["工作表", "列名", "填写要求", "可选值"])
    for cell in ws[ws.max_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for sheet in schema.sheets:
        ws.append([sheet.label, "（整张表）", _SHEET_HELP.get(sheet.key, ""), ""])
        ws.cell(row=ws.max_row, column=1).font = _HEADER_FONT
        for c in sheet.columns:
            ws.append([sheet.label, c.label, _help_text(sheet, c), _choices_text(sheet, c, schema)])
            for cell in ws[ws.max_row]:
                cell.alignment = _WRAP
    for letter, width in zip("ABCD", (14, 14, 60, 60), strict=True):
        ws.column_dimensions[letter].width = width


def build_template(
    *, unit: str | None = None, year: int | None = None, rows: int = TEMPLATE_ROWS, schema: Schema | None = None
) -> Workbook:
    """The template as an openpyxl workbook (not saved)."""
    schema = schema or load_schema()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _guide_sheet(wb, schema)
    for sheet in schema.sheets:
        if sheet.layout == "keyvalue":
            _info_sheet(wb, schema, unit, year)
        else:
            _record_sheet(wb, schema, sheet, rows)
    wb.active = 0
    return wb


def write_template(
    path: str | Path, *, unit: str | None = None, year: int | None = None, rows: int = TEMPLATE_ROWS
) -> Path:
    """Write a blank ledger template to ``path`` (atomically) and return it.

    ``unit`` and ``year`` prefill 基本信息.  ``rows`` rows below each header
    get number formats and drop-down lists.
    """
    wb, path = build_template(unit=unit, year=year, rows=rows), Path(path)
    with atomic_write(path) as f:
        wb.save(f)
    return path


# --------------------------------------------------------------------------
# an example filled in correctly


def _example_records(year: int) -> dict[str, list[dict]]:
    d = lambda m, day: dt.date(year, m, day)
    return {
        "members": [
            {
                "name": "张某甲",
                "gender": "男",
                "birth_date": dt.date(1985, 3, 12),
                "join_date": dt.date(2010, 7, 1),
                "leave_date": None,
                "status": "在册",
                "id_number": "320102198503120011",
                "phone": "15000000001",
                "department": "生产部",
            },
            {
                "name": "王某乙",
                "gender": "女",
                "birth_date": dt.date(1996, 8, 2),
                "join_date": d(3, 15),
                "leave_date": None,
                "status": "在册",
                "id_number": "320102199608020022",
                "phone": "15000000002",
                "department": "技术部",
            },
            {
                "name": "李某丙",
                "gender": "男",
                "birth_date": dt.date(1970, 1, 20),
                "join_date": dt.date(1995, 9, 1),
                "leave_date": d(6, 30),
                "status": "转出",
                "id_number": "320102197001200033",
                "phone": "15000000003",
                "department": "设备科",
            },
        ],
        "activities": [
            {
                "date": d(3, 8),
                "name": "三八节插花活动",
                "category": "女职工活动",
                "participants": 45,
                "amount": 2250.0,
                "department": "女工委",
                "note": None,
            },
            {
                "date": d(5, 20),
                "name": "职工篮球赛",
                "category": "文体活动",
                "participants": 60,
                "amount": 3600.5,
                "department": "工会办",
                "note": None,
            },
            {
                "date": d(9, 10),
                "name": "社区志愿服务",
                "category": "志愿服务",
                "participants": 20,
                "amount": None,
                "department": "团委",
                "note": "照片存档",
            },
        ],
        "funds": [
            {
                "date": d(1, 15),
                "direction": "收入",
                "account": "会费收入",
                "amount": 12000.0,
                "summary": "收全年会费",
                "voucher": "收-001",
            },
            {
                "date": d(3, 31),
                "direction": "收入",
                "account": "拨缴经费收入",
                "amount": 50000.0,
                "summary": "收拨缴经费",
                "voucher": "收-002",
            },
            {
                "date": d(5, 21),
                "direction": "支出",
                "account": "职工活动支出",
                "amount": 3600.5,
                "summary": "职工篮球赛费用",
                "voucher": "付-001",
            },
            {
                "date": d(12, 20),
                "direction": "支出",
                "account": "维权支出",
                "amount": 2000.0,
                "summary": "困难职工帮扶",
                "voucher": "付-002",
            },
        ],
        "care": [
            {
                "date": d(2, 1),
                "recipient": "王某乙",
                "reason": "生病住院",
                "visits": 1,
                "amount": 500.0,
                "form": "现金",
            },
            {
                "date": d(9, 28),
                "recipient": "全体会员",
                "reason": "节日慰问",
                "visits": 80,
                "amount": 16000.0,
                "form": "实物",
            },
        ],
        "proposals": [
            {
                "number": f"TA{year}-01",
                "date": d(3, 20),
                "proposer": "张某甲",
                "title": "关于改进职工食堂的建议",
                "category": "职工福利",
                "accepted": "是",
                "status": "已办结",
                "reply_date": d(5, 10),
            },
            {
                "number": f"TA{year}-02",
                "date": d(3, 20),
                "proposer": "王某乙",
                "title": "关于增开班车线路的建议",
                "category": "后勤保障",
                "accepted": "是",
                "status": "办理中",
                "reply_date": None,
            },
        ],
        "publicity": [
            {"date": d(5, 22), "form": "网络新媒体", "level": "内部", "quantity": 1, "title": "我单位举办职工篮球赛"},
            {"date": d(10, 8), "form": "报刊文章", "level": "市级", "quantity": 2, "title": "劳模风采系列报道"},
        ],
        "training": [
            {"date": d(4, 12), "name": "安全生产专题培训", "type": "安全生产", "hours": 4.0, "participants": 50},
            {"date": d(11, 3), "name": "劳动合同法解读", "type": "法律法规", "hours": 1.5, "participants": 30},
        ],
        "awards": [
            {"date": d(4, 28), "name": "模范职工之家", "level": "市厅级", "recipient": "集体", "grade": None},
        ],
    }


def fill_template_example(path: str | Path, *, unit: str = "示例分工会", year: int = 2024) -> dict:
    """Write the template with a few correct rows in every sheet.

    Returns ``{"info": {column key: value}, "records": {sheet key: [record]}}``
    with canonical values (as in :mod:`gonghui_kit.ledgers.sample` truth; each record
    carries its Excel row as ``_row``), so a round-trip test can compare what
    the loader reads with what was written.
    """
    schema = load_schema()
    wb = build_template(unit=unit, year=year, schema=schema)
    info = {
        "unit_name": unit,
        "year": year,
        "parent_union": "某市总工会",
        "employees": 85,
        "members": None,  # optional: the register below counts the members
        "chair": "赵某丁",
        "filler": "钱某戊",
        "fill_date": dt.date(year + 1, 1, 10),
    }
    info_sheet = schema.sheet("info")
    ws = wb[info_sheet.label]
    for i, c in enumerate(info_sheet.columns, 1):
        ws.cell(row=i, column=2, value=info[c.key])
    records = _example_records(year)
    for sheet in schema.record_sheets:
        ws = wb[sheet.label]
        for r, rec in enumerate(records.get(sheet.key, []), 2):
            for j, c in enumerate(sheet.columns, 1):
                ws.cell(row=r, column=j, value=rec.get(c.key))
            rec["_row"] = r
    with atomic_write(path) as f:
        wb.save(f)
    return {"info": info, "records": {k: [{"_row": r.pop("_row"), **r} for r in v] for k, v in records.items()}}
