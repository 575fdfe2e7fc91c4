"""What real offices do to a ledger, one shape per function, registered by
name: ``SHAPES["merged_dates"](book, rng)`` changes the workbook and its truth
together.  Each shape says in its docstring what a correct reader must make of
it; :mod:`.corpus` combines them.

Shapes come in two stages, applied in this order: ``cells`` (values spelled
another way, merged cells; row numbers unchanged) and ``rows`` (rows and
sheets added, renamed or hidden).  Planted errors (``error_*``) come last and
name their cell with a marker value the corpus finds again after writing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from random import Random
from typing import Callable

from openpyxl.cell.cell import MergedCell

from gonghui_kit.ingest.idcard import check_digit
from gonghui_kit.ledgers.realworld.book import Book, Placed, as_cell_date
from gonghui_kit.ledgers.realworld.capitals import capitals
from gonghui_kit.ledgers.sample.expected import truth_indicators
from gonghui_kit.schema import load_schema, norm_key

__all__ = ["SHAPES", "Shape", "shape", "ERROR_MARKERS"]


@dataclass(frozen=True)
class Shape:
    name: str
    stage: str  # cells | rows | error
    fn: Callable[[Book, Random], bool]
    merges: bool  # relies on merged cells (lost in a CSV)
    doc: str

    def __call__(self, book: Book, rng: Random) -> bool:
        done = self.fn(book, rng)
        if done:
            book.shapes.append(self.name)
        return done


SHAPES: dict[str, Shape] = {}
STAGES = ("cells", "rows", "error")


def shape(name: str, stage: str, merges: bool = False):
    """Register a shape: ``fn(book, rng) -> bool`` (whether it found a place)."""

    def deco(fn):
        SHAPES[name] = Shape(name, stage, fn, merges, (fn.__doc__ or "").strip().splitlines()[0])
        return fn

    return deco


def _record_rows(t: Placed) -> list[dict]:
    hidden = {i for i, d in t.ws.row_dimensions.items() if d.hidden}
    return [r for r in t.records if r["_row"] not in hidden]


def _free(t: Placed, row: int, col: int) -> bool:
    """Whether a cell can take a value (not hidden under a merged cell)."""
    return not isinstance(t.ws.cell(row, col), MergedCell)


def _adjacent(t: Placed, a: dict, b: dict) -> bool:
    return b["_row"] == a["_row"] + 1 and b["_row"] not in t.other_rows


# ==========================================================================
# cells


@shape("merged_dates", "cells", merges=True)
def merged_dates(book: Book, rng: Random) -> bool:
    """Same-day rows share one merged 日期 cell; a shared 事由 is merged too.
    A correct reader gives every row the merged value."""
    done = False
    for key in ("activities", "care", "funds"):
        t = book.tables.get(key)
        if not t or "date" not in t.cols:
            continue
        rows = sorted(_record_rows(t), key=lambda r: r["_row"])
        for i in range(len(rows) - 1):
            a, b = rows[i], rows[i + 1]
            d = as_cell_date(a["date"])
            if not d or d.year != book.year or not _adjacent(t, a, b) or rng.random() < 0.5:
                continue
            if key == "funds" and (a.get("direction"), a.get("account")) == (b.get("direction"), b.get("account")):
                continue  # same day, same account: could become a duplicate row
            if key != "funds" and a.get("name") == b.get("name"):
                continue
            if a["_row"] in t.dups or b["_row"] in t.dups:
                continue
            b["date"] = d
            col = t.cols["date"]
            t.ws.cell(b["_row"], col).value = None
            t.ws.merge_cells(start_row=a["_row"], start_column=col, end_row=b["_row"], end_column=col)
            done = True
            break
        if key == "care" and "reason" in t.cols:
            rows = sorted(_record_rows(t), key=lambda r: r["_row"])
            for a, b in zip(rows, rows[1:], strict=False):
                col = t.cols["reason"]
                va = t.ws.cell(a["_row"], col).value
                if a["_row"] in t.dups or b["_row"] in t.dups:
                    continue
                if _adjacent(t, a, b) and a["reason"] == b["reason"] and isinstance(va, str) and va.strip():
                    t.ws.cell(b["_row"], col).value = None
                    t.ws.merge_cells(start_row=a["_row"], start_column=col, end_row=b["_row"], end_column=col)
                    done = True
                    break
    return done


def _numeric_month(y: int, m: int) -> float | str:
    """2024.3 / 2024.12 as a typed number; October as text (2024.10 would be stored 2024.1)."""
    if m == 10:
        return f"{y}.10"
    return round(y + m / 100, 2) if m > 9 else round(y + m / 10, 1)


@shape("numeric_dates", "cells")
def numeric_dates(book: Book, rng: Random) -> bool:
    """Dates typed as numbers (2024.3, 2024.12): the month counts in the year."""
    done = False
    for key in ("activities", "training", "publicity", "awards"):
        t = book.tables.get(key)
        if not t or "date" not in t.cols:
            continue
        for r in t.records:
            d = as_cell_date(r["date"])
            if d and d.year == book.year and _free(t, r["_row"], t.cols["date"]) and rng.random() < 0.5:
                t.set(r, "date", _numeric_month(d.year, d.month))
                if rng.random() < 0.6:  # a General cell; else typed into a date-formatted cell (shows 1905-…)
                    for row in (r["_row"], *t.dups.get(r["_row"], ())):
                        t.ws.cell(row, t.cols["date"]).number_format = "General"
                r["date"] = (d.year, d.month)
                done = True
    return done


@shape("two_digit_years", "cells")
def two_digit_years(book: Book, rng: Random) -> bool:
    """Dates with a two-digit year (24-5-8, 24/5/8, 24.5.8)."""
    done = False
    for key in ("activities", "funds", "care", "proposals", "training"):
        t = book.tables.get(key)
        if not t:
            continue
        for col in ("date", "reply_date"):
            if col not in t.cols:
                continue
            for r in t.records:
                d = as_cell_date(r.get(col))
                if d and _free(t, r["_row"], t.cols[col]) and rng.random() < 0.3:
                    sep = rng.choice("-/.")
                    t.set(r, col, f"{d.year % 100:02d}{sep}{d.month}{sep}{d.day}")
                    done = True
    return done


@shape("capital_amounts", "cells")
def capital_amounts(book: Book, rng: Random) -> bool:
    """Amounts in Chinese capitals (叁仟元整, 壹仟贰佰叁拾肆元伍角) or as 1200元整."""
    done = False
    for key in ("activities", "care", "funds"):
        t = book.tables.get(key)
        if not t or "amount" not in t.cols or t.scale.get("amount", 1) != 1:
            continue
        for r in t.records:
            a = r.get("amount")
            cell = t.ws.cell(r["_row"], t.cols["amount"])
            if a and 0 < a < 1e8 and isinstance(cell.value, (int, float)) and rng.random() < 0.3:
                plain = float(a).is_integer() and rng.random() < 0.3
                t.set(r, "amount", f"{int(a)}元整" if plain else capitals(a))
                done = True
    return done


def _code_of(account: str) -> str | None:
    codes = {v: k for k, v in load_schema().account_codes.items()}
    return codes.get(account)


@shape("account_codes", "cells")
def account_codes(book: Book, rng: Random) -> bool:
    """科目 with the 工会会计制度 code before or instead of the name (401 会费收入, 501)."""
    t = book.tables.get("funds")
    if not t or "account" not in t.cols:
        return False
    done = False
    for r in t.records:
        cell = t.ws.cell(r["_row"], t.cols["account"])
        code = _code_of(r["account"])
        if code and isinstance(cell.value, str) and norm_key(cell.value) == norm_key(r["account"]):
            t.set(r, "account", rng.choice([f"{code} {r['account']}", f"{code}{r['account']}", int(code), code]))
            done = True
    return done


@shape("member_transfer", "cells")
def member_transfer(book: Book, rng: Random) -> bool:
    """会员名册 with 会籍状态 (在册/转出) and 转出时间: members who left during the
    year are not counted at year end."""
    t = book.tables.get("members")
    if not t or "status" not in t.cols or "leave_date" not in t.cols:
        return False
    t.ws.cell(t.header_row, t.cols["status"]).value = "会籍状态"
    t.ws.cell(t.header_row, t.cols["leave_date"]).value = rng.choice(["转出时间", "会籍转出日期"])
    left = False
    for r in t.records:
        if r["leave_date"] is not None:
            t.set(r, "status", rng.choice(["转出", "已转出", "调出"]))
            left = True
    return left


@shape("ditto_cells", "cells")
def ditto_cells(book: Book, rng: Random) -> bool:
    """同上 / 〃 for a value repeated from the row above (类别, 事由, 形式, 部门)."""
    done = False
    for key, cols in (
        ("activities", ("category", "department")),
        ("care", ("reason", "form")),
        ("training", ("type",)),
    ):
        t = book.tables.get(key)
        if not t:
            continue
        copies = {r for rows in t.dups.values() for r in rows} | set(t.dups)
        rows = sorted(_record_rows(t), key=lambda r: r["_row"])
        for a, b in zip(rows, rows[1:], strict=False):
            if not _adjacent(t, a, b) or {a["_row"], b["_row"]} & copies:
                continue
            for col in cols:
                if col not in t.cols or not _free(t, b["_row"], t.cols[col]) or not _free(t, a["_row"], t.cols[col]):
                    continue
                above = t.ws.cell(a["_row"], t.cols[col]).value
                if isinstance(above, str) and above.strip() and a.get(col) == b.get(col) and rng.random() < 0.6:
                    t.ws.cell(b["_row"], t.cols[col]).value = rng.choice(["同上", "〃", "同上"])
                    done = True
    return done


def _id_for(birth: dt.date, female: bool, serial: int) -> str:
    """A made-up 身份证号 with a correct check digit (so a reader may derive from it)."""
    body = f"320102{birth:%Y%m%d}{serial % 100:02d}{(serial % 5) * 2 + (0 if female else 1)}"
    return body + check_digit(body)


@shape("id_only_roster", "cells")
def id_only_roster(book: Book, rng: Random) -> bool:
    """A 会员名册 with 身份证号 but no 性别 and 出生日期 columns: both are
    derived from the number (its check digit right), which is not kept."""
    t = book.tables.get("members")
    if not t or not {"id_number", "gender", "birth_date"} <= set(t.cols) or not t.records:
        return False
    if any(
        isinstance(t.ws.cell(r["_row"], t.cols[k]), MergedCell) for r in t.records for k in ("gender", "birth_date")
    ):
        return False
    for i, r in enumerate(t.records):
        birth, gender = as_cell_date(r.get("birth_date")), r.get("gender")
        ok = birth is not None and gender in ("男", "女")
        t.set(r, "id_number", _id_for(birth, gender == "女", i) if ok else f"3201XX{i:012d}")
        if not ok:  # nothing to derive: the truth keeps what the roster said, now nothing
            r["birth_date"], r["gender"] = None, None
    for key in ("gender", "birth_date"):
        c = t.cols[key]
        for row in range(t.header_row, t.last_row() + 1):
            t.ws.cell(row, c).value = None
    return True


# ==========================================================================
# rows


def _sum_row(t: Placed, book: Book, label: str) -> dict[int, object]:
    cells: dict[int, object] = {t.first_col(): label}
    for key in ("participants", "amount", "visits", "quantity", "hours"):
        if key in t.cols and t.cols[key] != t.first_col():
            vals = [r[key] for r in t.records if isinstance(r.get(key), (int, float))]
            if vals:
                cells[t.cols[key]] = round(sum(vals) / t.scale.get(key, 1), 6)
    return cells


@shape("long_totals", "rows")
def long_totals(book: Book, rng: Random) -> bool:
    """A year-total row with a long label (2024年全年合计, 全年累计, 总计, 合计：…) under the table."""
    y = book.year
    labels = [f"{y}年全年合计", f"{y}年度合计", "全年累计", "总  计", "合计：", f"{y}年1-12月累计"]
    done = False
    for key in ("activities", "funds", "care"):
        t = book.tables.get(key)
        if not t or not t.records:
            continue
        at = t.last_row() + 1
        book.insert_rows(t.ws, at)
        book.put_row(t.ws, at, _sum_row(t, book, rng.choice(labels)))
        t.other_rows.append(at)
        done = True
    return done


@shape("signature_lines", "rows")
def signature_lines(book: Book, rng: Random) -> bool:
    """Signature, stamp and notes lines under each table (负责人签字：…, 填表人：…, （盖章）, 注：…)."""
    lines = [
        ["负责人签字：", None, "填表人：某某"],
        ["审核人：", None, None, "填报日期：", f"{book.year + 1}年1月10日"],
        ["单位（盖章）"],
        ["注：本表由各分会如实填写，金额单位为元。"],
        ["填表说明：", "日期请按“年-月-日”填写"],
    ]
    done = False
    for t in book.tables.values():
        if t.key == "members" or not t.records:
            continue
        at = t.ws.max_row + 2
        for i, line in enumerate(rng.sample(lines, rng.randint(1, 3))):
            book.put_row(t.ws, at + i, {t.first_col() + j: v for j, v in enumerate(line) if v is not None})
            t.other_rows.append(at + i)
        done = True
    return done


@shape("repeated_header", "rows")
def repeated_header(book: Book, rng: Random) -> bool:
    """The header row repeated mid-sheet (a printed page's header, pasted back)."""
    for t in book.tables.values():
        recs = sorted(t.records, key=lambda r: r["_row"])
        if len(recs) < 4 or t.header_top != t.header_row:
            continue
        at = recs[len(recs) // 2]["_row"]
        head = {c: t.ws.cell(t.header_row, c).value for c in range(1, t.ws.max_column + 1)}
        book.insert_rows(t.ws, at)
        book.put_row(t.ws, at, {c: v for c, v in head.items() if v is not None})
        t.other_rows.append(at)
        return True
    return False


_GROUPS = {
    "activities": (("participants", "amount"), "活动情况"),
    "care": (("visits", "amount"), "慰问情况"),
    "training": (("hours", "participants"), "培训情况"),
    "members": (("join_date", "leave_date"), "会籍情况"),
}


@shape("two_row_header", "rows", merges=True)
def two_row_header(book: Book, rng: Random) -> bool:
    """A two-row header: a merged group cell (活动情况) over two columns, the
    other headers merged down over both rows."""
    done = False
    for key, ((a, b), label) in _GROUPS.items():
        t = book.tables.get(key)
        if not t or a not in t.cols or b not in t.cols or t.header_top != t.header_row:
            continue
        ca, cb = sorted((t.cols[a], t.cols[b]))
        if cb != ca + 1 or rng.random() < 0.3:
            continue
        top = t.header_row
        book.insert_rows(t.ws, top)
        low = top + 1
        for c in range(1, t.ws.max_column + 1):
            v = t.ws.cell(low, c).value
            if v is None or c in (ca, cb):
                continue
            t.ws.cell(top, c).value = v
            t.ws.cell(low, c).value = None
            t.ws.merge_cells(start_row=top, start_column=c, end_row=low, end_column=c)
        t.ws.cell(top, ca).value = label
        t.ws.merge_cells(start_row=top, start_column=ca, end_row=top, end_column=cb)
        t.header_top, t.header_row = top, low
        done = True
    return done


@shape("title_unit_wan", "rows")
def title_unit_wan(book: Book, rng: Random) -> bool:
    """Amounts in 万元 declared once in a line above the table (单位：万元),
    not in the header."""
    done = False
    for key in ("funds", "activities", "care"):
        t = book.tables.get(key)
        if not t or "amount" not in t.cols or t.scale.get("amount", 1) != 1 or not t.records:
            continue
        col = t.cols["amount"]
        if "元" in str(t.ws.cell(t.header_row, col).value):
            continue  # 金额（元）: the header says its unit already
        for r in t.records:
            if r.get("amount") is not None and _free(t, r["_row"], col):
                t.set(r, "amount", round(r["amount"] / 10000, 6))
        t.scale["amount"] = 10000.0
        book.insert_rows(t.ws, t.header_top)
        t.ws.cell(t.header_top - 1, max(t.cols.values())).value = rng.choice(["单位：万元", "（金额单位：万元）"])
        done = True
    return done


@shape("debit_credit", "rows", merges=True)
def debit_credit(book: Book, rng: Random) -> bool:
    """经费 with separate 收入 / 支出 amount columns under a merged 金额 group
    cell instead of a 收支 column."""
    t = book.tables.get("funds")
    if not t or "direction" not in t.cols or "amount" not in t.cols or t.header_top != t.header_row:
        return False
    cd, ca = t.cols["direction"], t.cols["amount"]
    unit = "（万元）" if "万元" in str(t.ws.cell(t.header_row, ca).value or "") else ""
    by_row = {r["_row"]: r for r in t.records}
    dup_of = {
        a["row"]: a["of_row"]
        for tr in book.truths
        for a in tr["anomalies"]
        if a["sheet_key"] == "funds" and a["kind"] == "duplicate"
    }
    for row in range(t.header_row + 1, t.last_row() + 1):
        rec = by_row.get(row) or by_row.get(dup_of.get(row, -1))
        amount = t.ws.cell(row, ca).value
        if rec is None:
            direction = t.ws.cell(row, cd).value
            canonical = load_schema().categories["fund_direction"].canonical(direction)
            if direction is not None and canonical is None:
                continue  # a note or signature line: not a money row
            inc = canonical == "收入"
        else:
            inc = rec["direction"] == "收入"
        t.ws.cell(row, cd).value = amount if inc else None
        t.ws.cell(row, ca).value = None if inc else amount
    two_rows = abs(cd - ca) == 1 and rng.random() < 0.7
    left, right = (cd, ca) if cd < ca else (ca, cd)
    if two_rows:
        top = t.header_row
        book.insert_rows(t.ws, top)
        low = top + 1
        for c in range(1, t.ws.max_column + 1):
            v = t.ws.cell(low, c).value
            if v is not None and c not in (cd, ca):
                t.ws.cell(top, c).value = v
                t.ws.cell(low, c).value = None
                t.ws.merge_cells(start_row=top, start_column=c, end_row=low, end_column=c)
        t.ws.cell(top, left).value = f"金额{unit}"
        t.ws.merge_cells(start_row=top, start_column=left, end_row=top, end_column=right)
        t.ws.cell(low, cd).value, t.ws.cell(low, ca).value = "收入", "支出"
        t.header_top, t.header_row = top, low
    else:
        t.ws.cell(t.header_row, cd).value = f"收入金额{unit}"
        t.ws.cell(t.header_row, ca).value = f"支出金额{unit}"
    return True


@shape("numbered_sheets", "rows")
def numbered_sheets(book: Book, rng: Random) -> bool:
    """Sheet names numbered as attachments (表1 会员名册, 2.活动台账, 附表3-经费收支)."""
    style = rng.choice(["表{n} {name}", "{n}.{name}", "附表{n}-{name}", "{n}、{name}"])
    for n, t in enumerate(book.tables.values(), start=1):
        t.ws.title = style.format(n=n, name=t.ws.title)[:31]
    return bool(book.tables)


def _members_total(t: dict) -> int:
    return int(truth_indicators([t])[(t["unit"], t["year"], "members_total", "")])


@shape("info_members", "rows")
def info_members(book: Book, rng: Random) -> bool:
    """基本信息 also says 会员人数 (the right number): checked against the 会员名册."""
    if "基本信息" not in book.wb.sheetnames or len(book.truths) != 1:
        return False
    ws = book.wb["基本信息"]
    ws.cell(ws.max_row + 1, 1, rng.choice(["会员人数", "会员总数"])).offset(0, 1).value = _members_total(book.truths[0])
    return True


@shape("roster_withheld", "rows")
def roster_withheld(book: Book, rng: Random) -> bool:
    """No 会员名册 sent (personal data kept at home); 基本信息 says 会员人数
    instead: taken as reported, with a warning."""
    t = book.tables.get("members")
    if t is None or "基本信息" not in book.wb.sheetnames or len(book.truths) != 1:
        return False
    truth = book.truths[0]
    n = _members_total(truth)
    ws = book.wb["基本信息"]
    ws.cell(ws.max_row + 1, 1, "会员人数").offset(0, 1).value = n
    book.wb.remove(t.ws)
    del book.tables["members"]
    del truth["sheets"]["members"]
    truth["reported"] = {"members_total": n}
    return True


@shape("hidden_draft", "rows")
def hidden_draft(book: Book, rng: Random) -> bool:
    """A hidden old draft of a record sheet (its last record not yet entered,
    or one number not yet corrected): left out, the visible sheet counts."""
    keys = [k for k in ("activities", "care", "funds") if k in book.tables and len(book.tables[k].records) >= 5]
    if not keys:
        return False
    t = book.tables[rng.choice(keys)]
    ws = book.wb.copy_worksheet(t.ws)
    ws.title = rng.choice([f"{t.ws.title}(旧)", f"{t.ws.title} (2)", f"{t.ws.title}-草稿"])[:31]
    last = max(t.records, key=lambda r: r["_row"])
    col = next((t.cols[k] for k in ("participants", "visits", "amount") if k in t.cols), None)
    if rng.random() < 0.5 or col is None or not isinstance(ws.cell(last["_row"], col).value, (int, float)):
        for c in range(1, ws.max_column + 1):
            if not isinstance(ws.cell(last["_row"], c), MergedCell):
                ws.cell(last["_row"], c).value = None
    else:
        ws.cell(last["_row"], col).value = ws.cell(last["_row"], col).value * 2 + 1
    ws.sheet_state = "hidden"
    return True


_REAL_NAMES = {
    "members": ["会员花名册", "会员名单"],
    "activities": ["活动登记", "活动开展情况"],
    "funds": ["经费流水", "收支明细"],
    "care": ["走访慰问记录", "困难职工帮扶"],
    "training": ["教育培训"],
    "awards": ["获奖情况"],
}


@shape("renamed_sheets", "rows")
def renamed_sheets(book: Book, rng: Random) -> bool:
    """Sheets under the names offices use (活动登记, 经费流水, 走访慰问记录 …)."""
    taken = {ws.title for ws in book.wb.worksheets}
    done = False
    for key, names in _REAL_NAMES.items():
        t = book.tables.get(key)
        name = rng.choice(names)
        if t and name not in taken:
            t.ws.title = name
            taken.add(name)
            done = True
    return done


# ==========================================================================
# planted errors: the reader must stop and name the cell

#: Marker values planted errors write; a corpus finds the cells again by them.
ERROR_MARKERS = {"error_value": "很多", "error_column": "自定义栏", "error_formula": "=100*2"}


@shape("error_value", "error")
def error_value(book: Book, rng: Random) -> bool:
    """A count nobody can read (很多) in a record: an error at that cell."""
    for key, col in (("activities", "participants"), ("care", "visits"), ("training", "participants")):
        t = book.tables.get(key)
        free = [r for r in t.records if r["_row"] not in t.dups] if t and col in t.cols else []
        if free:
            r = rng.choice(free)
            t.ws.cell(r["_row"], t.cols[col]).value = ERROR_MARKERS["error_value"]
            r[col] = None
            book.errors.append({"sheet": t.ws.title, "marker": ERROR_MARKERS["error_value"]})
            return True
    return False


@shape("error_column", "error")
def error_column(book: Book, rng: Random) -> bool:
    """A column nobody knows (自定义栏) holding values: an error at its header."""
    keys = [k for k in ("activities", "care", "funds") if k in book.tables and book.tables[k].records]
    if not keys:
        return False
    t = book.tables[rng.choice(keys)]
    c = t.ws.max_column + 1
    t.ws.cell(t.header_row, c).value = ERROR_MARKERS["error_column"]
    for r in t.records:
        v = rng.choice(["甲", "乙", "丙"])
        for row in (r["_row"], *t.dups.get(r["_row"], ())):
            t.ws.cell(row, c).value = v
    book.errors.append({"sheet": t.ws.title, "marker": ERROR_MARKERS["error_column"]})
    return True


@shape("error_formula", "error")
def error_formula(book: Book, rng: Random) -> bool:
    """A formula saved without its value (a file written by a program, never
    opened in Excel): an error at that cell, never a silent 0."""
    for key in ("activities", "care", "funds"):
        t = book.tables.get(key)
        free = [r for r in t.records if r["_row"] not in t.dups and r.get("amount")] if t and "amount" in t.cols else []
        if free:
            r = rng.choice(free)
            t.ws.cell(r["_row"], t.cols["amount"]).value = ERROR_MARKERS["error_formula"]
            book.errors.append({"sheet": t.ws.title, "marker": ERROR_MARKERS["error_formula"]})
            return True
    return False
