"""Realistic sample ledgers (台账) with planted mess and their ground truth.

``generate_sample(out_dir)`` writes one workbook per unit per year under
``out_dir/<年度>/`` with free-text file names (``2023年机修分工会台账(终稿).xlsx``),
like the ones a city-level union collects.  The data are invented; personal
values are obviously fake (``张某甲``, ID numbers ``3201…``, phones ``15…``).

With ``mess=True`` every kind of real-world mess of spec §3 is planted
somewhere (title rows, notes, blank rows/columns, hidden rows, header units,
every date spelling, numbers as text, category variants, subtotal and
duplicate rows, records of the previous year or without a date, formulas with
cached values, fund sub-items, aliases, a missing optional sheet …).  Every
kind in :data:`MESS_KINDS` is guaranteed at least once per sample: each kind is
assigned to one workbook and realised at its first eligible cell/sheet.

Ground truth
------------
``SampleResult.truth`` maps the workbook's path relative to ``out_dir``
(posix, e.g. ``"2023/机修分工会2023台账-改(1).xlsx"``) to a plain dict::

    {
      "file": "2023/…xlsx",            # same as the key
      "unit": "动力车间分工会",          # 单位名称 as written in 基本信息
      "unit_current": "动力分厂分工会",  # the unit's latest name (rename registry)
      "kind": "企业",                    # 企业 / 学校 / 幼儿园 / 机关
      "year": 2023,
      "info": {"unit_name": …, "year": 2023, "parent_union": …, "employees": 180,
               "chair": …, "filler": …, "fill_date": date(2024, 1, 9)},
      "sheets": {                        # only sheets present in the workbook
        "activities": {
          "name": "职工活动",             # sheet name as written
          "header_row": 3,               # Excel row number of the header
          "headers": {"date": "活动日期", …},   # column key -> header as written
          "scale": {"amount": 10000.0},  # only columns with a unit in the header
          "records": [                   # rows that SHOULD be counted, in sheet order
            {"_row": 4, "date": date(2023, 7, 1), "name": "职工篮球赛",
             "category": "文体活动", "participants": 120, "amount": 3600.0,
             "department": "工会办", "note": None},
            …
          ],
        },
        …
      },
      "absent": ["proposals"],           # schema record sheets not in the workbook
      "anomalies": [                     # rows a checker must name (see ANOMALY_KINDS)
        {"sheet": "职工活动", "sheet_key": "activities", "row": 17,   # Excel row
         "kind": "subtotal", "counted": False, "column": None, "header": None, "raw": None},
        {"sheet": "职工活动", "sheet_key": "activities", "row": 12, "kind": "duplicate",
         "counted": False, "column": None, "header": None, "raw": None, "of_row": 11},
        {"sheet": "职工活动", "sheet_key": "activities", "row": 9, "kind": "approx_number",
         "counted": True, "column": "participants", "header": "参加人数", "raw": "约50人"},
        {"sheet": "职工活动", "sheet_key": "activities", "row": 4, "kind": "other_year",
         "counted": False, "column": "date", "header": "活动日期", "raw": "2022-12-28",
         "value": date(2022, 12, 28)},
        …
      ],
      "mess": {"date_cn": 12, "subtotal": 1, …},   # mess kind -> times planted
      "n_rows": 214,                     # data rows written (records + anomaly rows)
    }

Record values are canonical, keyed by the schema column keys of
``gonghui_kit/schema/ledger.yaml``:

- dates: ``datetime.date``; a month-only date (``2023年7月``) is the tuple
  ``(2023, 7)``; missing is ``None``;
- counts ``int``, money ``float`` in 元 (header units such as ``金额（万元）``
  already applied), hours ``float``; missing is ``None``; a blank cell of a
  column with a schema ``blank`` default holds that default (人次/数量 → 1,
  是否立案 → 是, 状态 → 在册);
- categories: the canonical label; an unknown label is the list's ``unknown``
  label (其他);
- funds: ``account`` is the canonical account after rolling sub-items up
  (``职工活动支出-文体活动`` → ``职工活动支出``, ``事业支出`` → ``对附属单位的支出``)
  and ``direction`` is 收入/支出 even where the cell was blank.

会员名册 lists everyone who was a member at some time of the year: members
who left during the year keep their row with 离会日期 and 状态; with
``mess=True`` members who joined in January of the next year (before the
ledger was filled in) are listed too, as real ledgers do.  Later departures
are not yet written.  So ``members_total`` of spec §5 must be computed from
the records (join ≤ 12-31, not left), not taken as the row count.

Anomaly kinds (``counted`` says whether the row is also among ``records``):
``subtotal``, ``duplicate`` (the later copy; ``of_row`` is the first),
``other_year`` (dated in the year before; ``value`` is its date), ``note`` (text below the table)
are NOT counted; ``no_date``, ``hidden_row``, ``unknown_category``,
``approx_number`` (``约50人``) and ``cash_gift`` (holiday/birthday care in
cash, for standards checks; content, so also present with ``mess=False``)
ARE counted.

With ``write_truth=True`` the same dict is also written as JSON to
``out_dir/<年度>/_truth/<file stem>.json`` (dates as ``"2023-07-01"``,
month-only dates as ``"2023-07"``); :func:`read_truth` reads it back.  The
default is ``False`` so a demo folder never ships the truth.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any, Iterator, Sequence

import openpyxl
from openpyxl.utils import get_column_letter

from gonghui_kit.schema import CategoryList, Column, Schema, Sheet, load_schema, norm_key

__all__ = [
    "ANOMALY_KINDS",
    "MESS_KINDS",
    "SampleResult",
    "UnitProfile",
    "generate_sample",
    "read_truth",
    "truth_to_json",
    "unit_profiles",
]

# --------------------------------------------------------------------------
# vocabulary

#: Every kind of mess the generator plants (``truth["mess"]`` counts them).
MESS_KINDS: tuple[str, ...] = (
    # layout
    "title_rows", "note", "blank_rows", "blank_columns", "hidden_row",
    "header_unit_wan", "header_unit_yuan", "alias_sheet_name", "alias_headers",
    "missing_sheet", "extra_sheet", "formula_cached", "misleading_file_name",
    # 基本信息
    "info_alias_keys", "info_text_values",
    # dates
    "date_excel", "date_serial", "date_iso", "date_slash", "date_dot", "date_cn",
    "date_md_cn", "date_md_dot", "date_month_only", "date_cn_numerals",
    # numbers
    "num_text", "num_comma", "num_fullwidth", "num_wan", "num_qian", "num_unit",
    "num_approx_yue", "num_approx_yu", "num_approx_duo",
    # missing values
    "missing_emdash", "missing_hyphen", "missing_slash", "missing_wu", "missing_blank",
    # categories
    "category_variant", "category_synonym", "unknown_category",
    # rows
    "subtotal", "duplicate", "other_year", "no_date",
    # funds
    "fund_subitem_dash", "fund_subitem_suffix", "fund_subitem_alone", "fund_legacy", "blank_direction",
    # content
    "cash_gift",
)

#: Anomaly kind -> whether the row is counted (also listed among records).
ANOMALY_KINDS: dict[str, bool] = {
    "subtotal": False,
    "duplicate": False,
    "other_year": False,
    "note": False,
    "no_date": True,
    "hidden_row": True,
    "unknown_category": True,
    "approx_number": True,
    "cash_gift": True,
}

_DATE_STYLES = ("date_excel", "date_serial", "date_iso", "date_slash", "date_dot", "date_cn",
                "date_md_cn", "date_md_dot", "date_month_only", "date_cn_numerals")
_COUNT_STYLES = ("num_text", "num_comma", "num_fullwidth", "num_unit", "num_approx_yue", "num_approx_yu", "num_approx_duo")
_MONEY_STYLES = ("num_text", "num_comma", "num_fullwidth", "num_unit", "num_wan", "num_qian")
_MISSING_STYLES = ("missing_emdash", "missing_hyphen", "missing_slash", "missing_wu", "missing_blank")
_MISSING_TOKENS = {"missing_emdash": "—", "missing_hyphen": "-", "missing_slash": "/", "missing_wu": "无", "missing_blank": None}

#: Columns where a month-only date (``2023年7月``) is believable.
_MONTH_ONLY_OK = {("activities", "date"), ("publicity", "date"), ("training", "date"),
                  ("awards", "date"), ("members", "birth_date")}
#: Count columns where ``约50人`` is believable, with the unit people write.
_APPROX_OK = {("activities", "participants"), ("training", "participants")}
_COUNT_UNIT = {"participants": "人", "visits": "人次", "quantity": "篇", "employees": "人"}

#: Probability that an enabled (not forced) mess kind is used at a chance.
_P_KIND = 0.3
_P_CELL = 0.3
_P_ROW = 0.4
_RARE = {"missing_sheet": 0.08, "extra_sheet": 0.15, "misleading_file_name": 0.1,
         "formula_cached": 0.15, "header_unit_wan": 0.3, "unknown_category": 0.3}

#: Chance that a style, once picked for a cell, is kept (rare spellings stay rare).
_STYLE_WEIGHT = {"date_cn_numerals": 0.15, "date_md_cn": 0.3, "date_md_dot": 0.2, "date_month_only": 0.15,
                 "date_serial": 0.5, "date_dot": 0.6, "num_fullwidth": 0.3, "num_approx_yue": 0.3,
                 "num_approx_yu": 0.3, "num_approx_duo": 0.3, "num_qian": 0.5, "category_synonym": 0.6}

_SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CN_DIGIT = "〇一二三四五六七八九"
_FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
_WIN_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_EXCEL_EPOCH = dt.date(1899, 12, 30)

# --------------------------------------------------------------------------
# units


@dataclass(frozen=True)
class UnitProfile:
    """One grassroots union and how it behaves over the years."""

    name: str
    kind: str  # 企业 / 学校 / 幼儿园 / 机关
    employees: int  # staff in the first year
    parent: str  # 上级工会
    member_rate: float = 0.97  # target membership rate
    member_growth: float = 0.01  # yearly change of the membership
    trend: float = 1.0  # yearly factor on activities, publicity, training
    close_rate: float = 1.0  # share of accepted proposals closed
    cash_gifts: bool = False  # pays holiday/birthday care in cash (breaks caps)
    renamed_to: str | None = None  # name in the last year
    departments: tuple[str, ...] = ()


_DEPTS = {
    "企业": ("生产部", "技术部", "设备科", "安全科", "综合办", "财务科"),
    "学校": ("语文组", "数学组", "英语组", "理化组", "行政办", "后勤处"),
    "幼儿园": ("大班组", "中班组", "小班组", "保健室", "后勤组"),
    "机关": ("办公室", "综合科", "业务一科", "业务二科", "人事科"),
}

_BASE_UNITS: tuple[UnitProfile, ...] = (
    UnitProfile("机修分工会", "企业", 180, "市机械集团工会", 0.96, 0.01, 1.0, 1.0),
    UnitProfile("第一中学工会", "学校", 210, "区教育工会", 0.99, 0.02, 1.05, 0.9),
    UnitProfile("阳光幼儿园工会", "幼儿园", 38, "区教育工会", 0.97, 0.04, 1.45, 1.0),
    UnitProfile("区财政局机关工会", "机关", 85, "区直机关工会", 1.0, 0.0, 1.0, 1.0, cash_gifts=True),
    UnitProfile("动力车间分工会", "企业", 320, "市机械集团工会", 0.94, 0.015, 1.05, 0.75,
                renamed_to="动力分厂分工会"),
    UnitProfile("炼钢厂分工会", "企业", 900, "市机械集团工会", 0.95, 0.01, 1.1, 0.85),
    UnitProfile("实验小学工会", "学校", 120, "区教育工会", 0.98, 0.01, 1.0, 1.0),
    UnitProfile("销售公司分工会", "企业", 150, "市机械集团工会", 0.86, -0.02, 0.95, 0.6, cash_gifts=True),
    UnitProfile("区卫健委机关工会", "机关", 60, "区直机关工会", 0.97, 0.0, 1.0, 1.0),
    UnitProfile("运输车队分工会", "企业", 95, "市机械集团工会", 0.88, -0.04, 0.7, 0.5),
    UnitProfile("蓓蕾幼儿园工会", "幼儿园", 25, "区教育工会", 1.0, 0.0, 1.0, 1.0),
    UnitProfile("质检中心分工会", "企业", 62, "市机械集团工会", 0.93, 0.02, 1.15, 0.8),
)
_EXTRA_PREFIXES = ("东区", "西区", "南区", "北区", "新城", "开发区", "高新区", "滨江")


def unit_profiles(units: int = 12) -> list[UnitProfile]:
    """The first ``units`` profiles, a mix of kinds; beyond 12 the base units
    are repeated with a district prefix (``东区机修分工会`` …)."""
    if units < 1:
        raise ValueError("units must be at least 1")
    out = []
    for i in range(units):
        base = _BASE_UNITS[i % len(_BASE_UNITS)]
        r = i // len(_BASE_UNITS)
        if r:
            prefix = _EXTRA_PREFIXES[r - 1] if r - 1 < len(_EXTRA_PREFIXES) else f"第{r}片区"
            base = UnitProfile(prefix + base.name, base.kind, base.employees, base.parent, base.member_rate,
                               base.member_growth, base.trend, base.close_rate, base.cash_gifts, None)
        out.append(UnitProfile(**{**base.__dict__, "departments": _DEPTS[base.kind]}))
    return out


# --------------------------------------------------------------------------
# result


@dataclass
class SampleResult:
    """What ``generate_sample`` wrote and what it planted (see module doc)."""

    out_dir: Path
    files: list[Path]
    truth: dict[str, dict]
    renames: dict[str, list[str]] = field(default_factory=dict)  # current name -> former names
    units: list[str] = field(default_factory=list)  # current unit names

    def truth_for(self, path: str | Path) -> dict:
        """The truth of one workbook, by absolute or ``out_dir``-relative path."""
        p = Path(path)
        key = (p.relative_to(self.out_dir) if p.is_absolute() else p).as_posix()
        return self.truth[key]

    def records(self, sheet_key: str) -> Iterator[tuple[dict, dict]]:
        """(workbook truth, record) for every counted record of a sheet."""
        for t in self.truth.values():
            for r in t["sheets"].get(sheet_key, {}).get("records", []):
                yield t, r

    def anomalies(self, kind: str | None = None) -> Iterator[tuple[dict, dict]]:
        """(workbook truth, anomaly), optionally of one kind."""
        for t in self.truth.values():
            for a in t["anomalies"]:
                if kind is None or a["kind"] == kind:
                    yield t, a

    def mess_counts(self) -> Counter:
        """Mess kind -> times planted across the sample."""
        c: Counter = Counter()
        for t in self.truth.values():
            c.update(t["mess"])
        return c


# --------------------------------------------------------------------------
# small pure helpers


def _cn_number(n: int) -> str:
    """1..31 in Chinese: 7 → 七, 10 → 十, 21 → 二十一."""
    if n < 10:
        return _CN_DIGIT[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGIT[tens]) + "十" + (_CN_DIGIT[units] if units else "")


def _cn_date(d: dt.date) -> str:
    """``二〇二三年七月一日``."""
    return "".join(_CN_DIGIT[int(c)] for c in str(d.year)) + f"年{_cn_number(d.month)}月{_cn_number(d.day)}日"


def _fmt_num(x: float) -> str:
    """1200.0 → '1200', 12.5 → '12.5' (never scientific)."""
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _money(x: float) -> float:
    return round(float(x), 2)


def _safe_filename(name: str) -> str:
    return _WIN_FORBIDDEN.sub("_", name).strip(" .") or "台账"


def _rand_date(rng: Random, year: int, month: int | None = None) -> dt.date:
    m = month or rng.randint(1, 12)
    return dt.date(year, m, rng.randint(1, calendar.monthrange(year, m)[1]))


def _weighted(rng: Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _is_ascii(s: str) -> bool:
    return all(ord(c) < 128 for c in s)


def _resolve_account(raw: str, schema: Schema) -> tuple[str, str] | None:
    """(direction, account) a 科目 spelling stands for under spec §2, or None.

    >>> s = load_schema()
    >>> [_resolve_account(x, s) for x in ("职工活动支出-文体活动", "文体活动支出", "事业支出")]
    [('支出', '职工活动支出'), ('支出', '职工活动支出'), ('支出', '对附属单位的支出')]
    """
    lookup = schema.account_lookup
    k = norm_key(raw)
    if k in lookup:
        return lookup[k]
    for part in re.split(r"[-—－]+", k):
        if part in lookup:
            return lookup[part]
    for suffix in ("支出", "收入"):
        if k.endswith(suffix) and k[: -len(suffix)] in lookup:
            return lookup[k[: -len(suffix)]]
    return None


# --------------------------------------------------------------------------
# members (simulated per unit across the years)


@dataclass
class _Member:
    name: str
    gender: str
    birth: dt.date
    join: dt.date
    leave: dt.date | None = None
    status: str | None = None  # None = 在册 (blank)
    id_number: str = ""
    phone: str = ""
    department: str = ""


class _People:
    """Unique, obviously invented names (张某甲, 王某乙子 …), ID numbers, phones."""

    def __init__(self, rng: Random):
        self.rng = rng
        combos = [s + "某" + t for t in _STEMS for s in _SURNAMES]
        combos += [s + "某" + t + b for b in _BRANCHES for t in _STEMS for s in _SURNAMES]
        rng.shuffle(combos)
        self._names = combos
        self._next = 0
        self._ids: set[str] = set()

    def name(self) -> str:
        i = self._next
        self._next += 1
        if i < len(self._names):
            return self._names[i]
        return self._names[i % len(self._names)] + str(i // len(self._names) + 1)

    def id_number(self, birth: dt.date) -> str:
        while True:
            s = f"3201{self.rng.randint(1, 16):02d}{birth:%Y%m%d}{self.rng.randint(0, 999):03d}{self.rng.randint(0, 9)}"
            if s not in self._ids:
                self._ids.add(s)
                return s

    def phone(self) -> str:
        return "15" + "".join(str(self.rng.randint(0, 9)) for _ in range(9))


def _new_member(rng: Random, people: _People, p: UnitProfile, join: dt.date, age: int) -> _Member:
    female = {"学校": 0.7, "幼儿园": 0.95, "机关": 0.5}.get(p.kind, 0.3)
    birth = _rand_date(rng, join.year - age)
    return _Member(
        name=people.name(),
        gender="女" if rng.random() < female else "男",
        birth=birth,
        join=join,
        id_number=people.id_number(birth),
        phone=people.phone(),
        department=rng.choice(p.departments),
    )


@dataclass
class _UnitSim:
    members: list[_Member]
    employees: dict[int, int]


def _simulate_unit(p: UnitProfile, years: Sequence[int], rng: Random, factor: float) -> _UnitSim:
    """Members joining and leaving year by year; staff follow the membership."""
    people = _People(rng)
    y0, y_last = years[0], years[-1]
    n0 = max(3, round(p.employees * factor * p.member_rate))
    members: list[_Member] = []
    for _ in range(n0):
        age_now = rng.randint(23, 58)
        join_year = rng.randint(max(y0 - 30, y0 - age_now + 21), y0 - 1)
        m = _new_member(rng, people, p, _rand_date(rng, join_year), age_now - (y0 - join_year))
        members.append(m)
    employees: dict[int, int] = {}
    for y in range(y0, y_last + 1):
        active = [m for m in members if m.leave is None]
        n_leave = round(len(active) * rng.uniform(0.01, 0.05))
        for m in rng.sample(active, min(n_leave, len(active))):
            m.leave = _rand_date(rng, y)
            age = y - m.birth.year
            m.status = "退休" if age >= 55 else ("除名" if rng.random() < 0.1 else "转出")
        target = round(len(active) * (1 + p.member_growth + rng.uniform(-0.01, 0.01)))
        n_join = max(0, target - (len(active) - n_leave))
        for _ in range(n_join):
            members.append(_new_member(rng, people, p, _rand_date(rng, y), rng.randint(22, 35)))
        end = sum(1 for m in members if m.join.year <= y and (m.leave is None or m.leave.year > y))
        rate = min(1.0, p.member_rate + rng.uniform(-0.012, 0.012))
        employees[y] = max(end, round(end / rate))
    return _UnitSim(members, employees)


def _roster(sim: _UnitSim, year: int, fill_date: dt.date, late_joiners: bool) -> list[_Member]:
    """Members listed in a year's 会员名册: in the union at some point of the
    year, plus (``late_joiners``) those who joined before the ledger was filled."""
    cutoff = fill_date if late_joiners else dt.date(year, 12, 31)
    rows = [m for m in sim.members if m.join <= cutoff and (m.leave is None or m.leave.year >= year)]
    rows.sort(key=lambda m: (m.department, m.join))
    return rows


# --------------------------------------------------------------------------
# content: canonical records per sheet (values before any mess)

_ACT_NAMES = {
    "文体活动": ("职工篮球赛", "羽毛球比赛", "健步走活动", "迎新春文艺汇演", "拔河比赛", "乒乓球比赛", "摄影作品展", "趣味运动会"),
    "劳动竞赛": ("安全生产百日竞赛", "降本增效劳动竞赛", "质量月劳动竞赛", "节能减排竞赛"),
    "技能比武": ("电工技能比武", "焊工技能大赛", "岗位练兵比武", "青年教师基本功大赛"),
    "教育培训": ("工会干部培训", "职工素质提升讲座", "心理健康讲座", "劳动法知识讲座"),
    "参观学习": ("红色教育基地参观", "兄弟单位交流学习", "劳模工作室参观"),
    "节日活动": ("元宵节猜灯谜", "端午节包粽子", "中秋游园会", "迎新年联欢会"),
    "志愿服务": ("社区志愿服务", "义务植树", "无偿献血", "文明交通志愿岗"),
    "女职工活动": ("三八节插花活动", "女职工健康讲座", "亲子阅读活动"),
    "其他": ("职工之家开放日", "会员座谈会"),
}
_ACT_WEIGHTS = {
    "企业": {"文体活动": 4, "劳动竞赛": 3, "技能比武": 3, "教育培训": 2, "参观学习": 1, "节日活动": 2, "志愿服务": 1, "女职工活动": 1, "其他": 0.5},
    "学校": {"文体活动": 4, "劳动竞赛": 0.5, "技能比武": 2, "教育培训": 3, "参观学习": 1, "节日活动": 2, "志愿服务": 1, "女职工活动": 2, "其他": 0.5},
    "幼儿园": {"文体活动": 3, "技能比武": 1, "教育培训": 2, "参观学习": 1, "节日活动": 3, "志愿服务": 1, "女职工活动": 3, "其他": 0.5},
    "机关": {"文体活动": 4, "教育培训": 3, "参观学习": 2, "节日活动": 2, "志愿服务": 2, "女职工活动": 1, "其他": 0.5},
}
_MONTH_WEIGHTS = (8, 6, 8, 6, 9, 6, 5, 4, 7, 8, 6, 9)
_ACT_DEPTS = ("工会办", "女工委", "文体协会", "团委", "工会办")
_CARE_REASONS = {"生病住院": 5, "婚嫁": 2, "生育": 2, "丧葬": 2, "困难帮扶": 3, "退休": 2, "节日慰问": 3, "生日": 2, "其他": 0.5}
_CARE_AMOUNT = {"生病住院": (300, 1000), "婚嫁": (500, 800), "生育": (500, 800), "丧葬": (800, 1000),
                "困难帮扶": (1000, 3000), "退休": (500, 1000), "节日慰问": (200, 400), "生日": (100, 200), "其他": (200, 500)}
_PROPOSAL_TOPICS = ("职工食堂", "班车线路", "休息室改造", "劳保用品发放", "体检项目", "职工书屋", "停车管理",
                    "夜班补贴", "培训机会", "绩效考核办法", "安全防护设施", "子女托管")
_PROPOSAL_CATS = ("生产经营", "民主管理", "职工福利", "安全生产", "后勤保障")
_PUB_FORMS = {"报刊文章": 2, "网络新媒体": 5, "橱窗图板": 2, "横幅": 1, "板报": 1, "简报": 2, "其他": 0.3}
_PUB_LEVELS = {"内部": 40, "县级": 25, "市级": 25, "省级": 7, "国家级": 2}
_TRAIN_NAMES = {"政治理论": ("党的二十大精神学习", "工会理论学习", "主题教育专题学习"),
                "业务技能": ("岗位技能培训", "新员工入职培训", "信息化应用培训"),
                "安全生产": ("安全生产专题培训", "消防应急演练", "职业病防护培训"),
                "法律法规": ("劳动合同法解读", "普法讲座", "工会法学习"),
                "其他": ("心理健康辅导", "急救知识培训")}
_TRAIN_WEIGHTS = {"企业": {"政治理论": 2, "业务技能": 3, "安全生产": 4, "法律法规": 2, "其他": 1},
                  "学校": {"政治理论": 3, "业务技能": 4, "安全生产": 1, "法律法规": 2, "其他": 1},
                  "幼儿园": {"政治理论": 2, "业务技能": 4, "安全生产": 2, "法律法规": 1, "其他": 1},
                  "机关": {"政治理论": 5, "业务技能": 3, "安全生产": 1, "法律法规": 3, "其他": 1}}
_AWARD_NAMES = ("先进职工之家", "模范职工小家", "五一劳动奖状", "工人先锋号", "优秀工会工作者", "优秀工会积极分子",
                "巾帼建功标兵", "职工技能大赛", "优秀工会小组", "师德标兵", "安康杯竞赛优胜单位")
_AWARD_LEVELS = {"单位内部": 35, "县区级": 30, "市厅级": 25, "省部级": 8, "国家级": 1}
_GRADES = ("一等奖", "二等奖", "三等奖", "优秀奖", None, None)


def _count(rng: Random, fixed: float, per: float, n_members: int, factor: float, trend: float = 1.0,
           minimum: int = 1) -> int:
    """Rows of a sheet: ``fixed`` plus one per ``per`` members of the unscaled
    unit, times ``trend``, times the size ``factor`` (members are already scaled)."""
    base = fixed + n_members / factor / per
    return max(minimum, round(base * trend * factor * rng.uniform(0.85, 1.15)))


def _unique_text(seen: set, text: str) -> str:
    out, k = text, 2
    while out in seen:
        out = f"{text}（{_cn_number(k) if k < 32 else k}）"
        k += 1
    seen.add(out)
    return out


def _activities(rng, p, year, t, n_members, factor, n_missing: int = 0):
    n = _count(rng, 5, 25, n_members, factor, p.trend ** t, 2)
    weights = _ACT_WEIGHTS[p.kind]
    seen: set = set()
    out = []
    for _ in range(n):
        cat = _weighted(rng, weights)
        month = rng.choices(range(1, 13), weights=_MONTH_WEIGHTS)[0]
        part = max(5, min(n_members, round(n_members * rng.uniform(0.1, 0.8))))
        amount = None if cat == "志愿服务" or rng.random() < 0.06 else _money(part * rng.uniform(20, 150) * p.trend ** t)
        if amount is not None and rng.random() < 0.5:
            amount = float(round(amount, -1))
        out.append({
            "date": _rand_date(rng, year, month),
            "name": _unique_text(seen, rng.choice(_ACT_NAMES[cat])),
            "category": cat,
            "participants": part,
            "amount": amount,
            "department": rng.choice(_ACT_DEPTS),
            "note": rng.choice((None, None, None, "照片存档", "已报上级工会")),
        })
    have = sum(r["amount"] is None for r in out)
    for r in rng.sample(out, min(len(out), max(0, n_missing - have))):
        r["amount"] = None
    return out


def _funds(rng, p, year, employees, n_members, factor, legacy: bool):
    schema = load_schema()
    items = {acc: list(subs) for acc, subs in schema.accounts["expense"].items()}
    out = []
    dues = n_members * rng.uniform(250, 400)
    for q in range(4):  # quarterly dues and allocated funds
        out.append({"direction": "收入", "account": "会费收入", "amount": _money(dues / 4), "_item": None,
                    "date": _rand_date(rng, year, q * 3 + rng.randint(1, 3)), "summary": f"收第{_cn_number(q + 1)}季度会费"})
        out.append({"direction": "收入", "account": "拨缴经费收入", "amount": _money(employees * rng.uniform(400, 700) / 4),
                    "_item": None, "date": _rand_date(rng, year, q * 3 + rng.randint(1, 3)), "summary": "收拨缴经费"})
    for acc, p_ in (("上级补助收入", 0.6), ("行政补助收入", 0.5), ("其他收入", 0.4)):
        if rng.random() < p_:
            out.append({"direction": "收入", "account": acc, "amount": _money(employees * rng.uniform(30, 200)),
                        "_item": None, "date": _rand_date(rng, year), "summary": f"收{acc[:-2]}"})
    if legacy:
        out.append({"direction": "收入", "account": "附属单位上缴收入", "amount": _money(rng.uniform(5000, 20000)),
                    "_item": None, "date": _rand_date(rng, year), "summary": "附属单位上缴"})
    income = sum(r["amount"] for r in out)
    spend = income * rng.uniform(0.8, 1.0)
    shares = {"职工活动支出": 0.55, "维权支出": 0.15, "业务支出": 0.1, "职工服务支出": 0.1, "资本性支出": 0.04, "其他支出": 0.06}
    if legacy:
        shares["对附属单位的支出"] = 0.05
    n_exp = _count(rng, 8, 25, employees, factor, minimum=6)
    accounts = rng.choices(list(shares), weights=list(shares.values()), k=n_exp)
    for a in shares:  # every planned account at least once
        if a not in accounts:
            accounts.append(a)
    weights = [rng.uniform(0.5, 1.5) * shares[a] / accounts.count(a) for a in accounts]
    total_w = sum(weights)
    for a, w in zip(accounts, weights):
        item = rng.choice(items[a]) if items[a] else None
        if item in ("职工集体福利", "其它支出"):
            item = None
        out.append({"direction": "支出", "account": a, "_item": item, "amount": _money(max(500.0, spend * w / total_w)),
                    "date": _rand_date(rng, year), "summary": f"支付{item or a.replace('支出', '')}费用"})
    out.sort(key=lambda r: r["date"])
    for i, r in enumerate(out, 1):
        r["voucher"] = f"{'收' if r['direction'] == '收入' else '付'}-{i:03d}"
    return out


def _care(rng, p, year, roster_names, n_members, factor, cash_gifts: bool):
    n = _count(rng, 3, 15, n_members, factor, minimum=2)
    seen: set = set()
    out = []

    def add(rec):
        key = (rec["date"], rec["recipient"], rec["reason"], rec["visits"], rec["amount"], rec["form"])
        if key not in seen:
            seen.add(key)
            out.append(rec)

    for _ in range(n):
        reason = _weighted(rng, _CARE_REASONS)
        lo, hi = _CARE_AMOUNT[reason]
        if reason == "节日慰问":
            visits = max(2, round(n_members * rng.uniform(0.2, 1.0)))
            amount = _money(visits * rng.randrange(lo, hi + 1, 50))
            recipient = rng.choice(("全体会员", "一线职工", "困难职工", "退休职工"))
            form = "实物"
        else:
            visits = 1
            amount = _money(rng.randrange(lo, hi + 1, 100))
            recipient = rng.choice(roster_names)
            form = "现金" if reason in ("生病住院", "丧葬", "困难帮扶") else rng.choice(("现金", "实物"))
        if reason == "生日":
            form = "实物"
        add({"date": _rand_date(rng, year), "recipient": recipient, "reason": reason,
             "visits": visits, "amount": amount, "form": form})
    if cash_gifts:  # holiday/birthday care in cash, above what the rules allow
        add({"date": dt.date(year, 1, rng.randint(10, 20)), "recipient": "全体会员", "reason": "节日慰问",
             "visits": n_members, "amount": _money(n_members * rng.choice((800, 1000, 1200))), "form": "现金", "_cash_gift": True})
        add({"date": _rand_date(rng, year, rng.choice((3, 6, 9))), "recipient": "当月过生日会员", "reason": "生日",
             "visits": max(2, n_members // 12), "amount": _money(max(2, n_members // 12) * 600), "form": "现金", "_cash_gift": True})
    out.sort(key=lambda r: r["date"])
    return out


def _proposals(rng, p, year, roster_names, n_members, factor):
    n = _count(rng, 2, 40, n_members, factor)
    out = []
    seen: set = set()
    for i in range(n):
        d = _rand_date(rng, year, rng.choice((3, 3, 4, 4, 5, 9, 10)))
        accepted = "否" if rng.random() < 0.12 else "是"
        if accepted == "否":
            status, reply = "未办理", None
        elif rng.random() < p.close_rate:
            status, reply = "已办结", d + dt.timedelta(days=rng.randint(10, 120))
        else:
            status, reply = rng.choice(("办理中", "办理中", "未办理")), None
        out.append({"number": f"TA{year}-{i + 1:02d}", "date": d, "proposer": rng.choice(roster_names),
                    "title": _unique_text(seen, f"关于改进{rng.choice(_PROPOSAL_TOPICS)}的建议"),
                    "category": rng.choice(_PROPOSAL_CATS), "accepted": accepted, "status": status, "reply_date": reply})
    return out


def _publicity(rng, p, year, t, n_members, factor, short_name):
    n = _count(rng, 3, 30, n_members, factor, p.trend ** t)
    seen: set = set()
    out = []
    for _ in range(n):
        cat = rng.choice(list(_ACT_NAMES))
        out.append({"date": _rand_date(rng, year), "form": _weighted(rng, _PUB_FORMS), "level": _weighted(rng, _PUB_LEVELS),
                    "quantity": rng.choice((1, 1, 1, 2, 3, 4, 6, 12)),
                    "title": _unique_text(seen, f"{short_name}开展{rng.choice(_ACT_NAMES[cat])}")})
    return out


def _training(rng, p, year, t, n_members, factor):
    n = _count(rng, 2, 60, n_members, factor, p.trend ** t)
    seen: set = set()
    out = []
    for _ in range(n):
        typ = _weighted(rng, _TRAIN_WEIGHTS[p.kind])
        out.append({"date": _rand_date(rng, year), "name": _unique_text(seen, rng.choice(_TRAIN_NAMES[typ])), "type": typ,
                    "hours": float(rng.choice((1.5, 2, 2, 3, 4, 4, 8, 16))),
                    "participants": max(3, min(n_members, round(n_members * rng.uniform(0.1, 0.9))))})
    return out


def _awards(rng, p, year, t, factor):
    n = max(0, round((rng.randint(0, 3) + 1) * (p.trend ** t) * factor))
    seen: set = set()
    out = []
    for _ in range(n):
        out.append({"date": _rand_date(rng, year), "name": _unique_text(seen, rng.choice(_AWARD_NAMES)),
                    "level": _weighted(rng, _AWARD_LEVELS), "recipient": rng.choice(("集体", "个人")),
                    "grade": rng.choice(_GRADES)})
    return out


def _member_records(roster: list[_Member], year: int) -> list[dict]:
    """Roster rows as known at the end of ``year`` (later departures not yet written)."""
    out = []
    for m in roster:
        left = m.leave is not None and m.leave.year <= year
        out.append({"name": m.name, "gender": m.gender, "birth_date": m.birth, "join_date": m.join,
                    "leave_date": m.leave if left else None, "status": m.status if left else None,
                    "id_number": m.id_number, "phone": m.phone, "department": m.department})
    return out


# --------------------------------------------------------------------------
# rendering: canonical value -> (raw cell, truth value) under a mess style


class _Ctx:
    """Per-workbook random source, enabled/forced mess kinds and counters."""

    def __init__(self, rng: Random, year: int, enabled: set[str], forced: set[str], mess: bool):
        self.rng = rng
        self.year = year
        self.enabled = set(enabled) | set(forced)
        self.pending = set(forced)
        self.counts: Counter = Counter()
        self.mess = mess

    def used(self, kind: str, n: int = 1) -> None:
        self.counts[kind] += n
        self.pending.discard(kind)

    def want(self, kind: str, p: float = _P_ROW) -> bool:
        """Plant ``kind`` at this chance?  Always while it is still pending."""
        if kind not in self.enabled:
            return False
        return kind in self.pending or self.rng.random() < _RARE.get(kind, p)

    def style(self, candidates: Sequence[str], p: float = _P_CELL) -> str | None:
        """A mess style among ``candidates`` for one cell, or None (plain)."""
        pend = [c for c in candidates if c in self.pending]
        if pend:
            return pend[0]
        if self.rng.random() >= p:
            return None
        ok = [c for c in candidates if c in self.enabled]
        if not ok:
            return None
        pick = self.rng.choice(ok)
        return pick if self.rng.random() < _STYLE_WEIGHT.get(pick, 1.0) else None


def _render_date(ctx: _Ctx, value: dt.date | None, sheet_key: str, col_key: str) -> tuple[Any, Any]:
    if value is None:
        return None, None
    cands = [s for s in _DATE_STYLES if s != "date_excel"]
    if value.year != ctx.year:
        cands = [s for s in cands if s not in ("date_md_cn", "date_md_dot")]
    if (sheet_key, col_key) not in _MONTH_ONLY_OK:
        cands.remove("date_month_only")
    style = ctx.style(cands, 0.6) if ctx.mess else None
    if style is None:
        if ctx.mess:
            ctx.used("date_excel")
        return value, value
    ctx.used(style)
    y, m, d = value.year, value.month, value.day
    raw = {
        "date_serial": (value - _EXCEL_EPOCH).days,
        "date_iso": f"{value:%Y-%m-%d}",
        "date_slash": f"{y}/{m}/{d}",
        "date_dot": f"{y}.{m}.{d}",
        "date_cn": f"{y}年{m}月{d}日",
        "date_md_cn": f"{m}月{d}日",
        "date_md_dot": f"{m}.{d}",
        "date_month_only": f"{y}年{m}月",
        "date_cn_numerals": _cn_date(value),
    }[style]
    return raw, ((y, m) if style == "date_month_only" else value)


def _render_missing(ctx: _Ctx, default: Any) -> tuple[Any, Any]:
    """A missing number: a token (—, -, /, 无) or a blank cell."""
    if default is not None or not ctx.mess:
        return None, default
    style = ctx.style(_MISSING_STYLES, 1.0) or "missing_blank"
    ctx.used(style)
    return _MISSING_TOKENS[style], None


def _render_count(ctx: _Ctx, value: int | None, sheet_key: str, col: Column, flags: list) -> tuple[Any, Any]:
    if value is None:
        return _render_missing(ctx, None if col.blank is None else int(col.blank))
    if col.blank is not None and value == int(col.blank) and ctx.mess and ctx.rng.random() < 0.4:
        return None, value  # blank means the default (人次/数量 → 1)
    cands = [s for s in _COUNT_STYLES if s != "num_comma" or value >= 1000]
    if (sheet_key, col.key) not in _APPROX_OK:
        cands = [s for s in cands if not s.startswith("num_approx")]
    style = ctx.style(cands) if ctx.mess else None
    if style is None:
        return value, value
    ctx.used(style)
    unit = _COUNT_UNIT.get(col.key, "")
    if style.startswith("num_approx"):
        value = max(10, round(value / 10) * 10)
        raw = {"num_approx_yue": f"约{value}{unit}", "num_approx_yu": f"{value}余{unit}",
               "num_approx_duo": f"{value}多{unit}"}[style]
        flags.append(("approx_number", col.key, raw))
        return raw, value
    raw = {"num_text": str(value), "num_comma": f"{value:,}", "num_fullwidth": str(value).translate(_FULLWIDTH),
           "num_unit": f"{value}{unit}"}[style]
    return raw, value


def _render_money(ctx: _Ctx, value: float | None, col: Column, scale: float) -> tuple[Any, Any]:
    if value is None:
        return _render_missing(ctx, None)
    if scale != 1.0:  # the header says 万元: plain numbers in 万元
        raw = round(value / scale, 6)
        return raw, _money(raw * scale)
    cands = [s for s in _MONEY_STYLES
             if not (s == "num_comma" and value < 1000) and not (s == "num_wan" and value < 10000)
             and not (s == "num_qian" and not 1000 <= value < 10000)]
    style = ctx.style(cands) if ctx.mess else None
    if style is None:
        return value, value
    ctx.used(style)
    if style == "num_wan":
        value = _money(round(value, -2))
        return f"{_fmt_num(value / 10000)}{ctx.rng.choice(('万', '万元'))}", value
    if style == "num_qian":
        value = _money(round(value, -3))
        return f"{int(value // 1000)}千", value
    if style == "num_fullwidth":
        value = float(round(value))
        return _fmt_num(value).translate(_FULLWIDTH), value
    raw = {"num_text": f"{value:.2f}" if not value.is_integer() else _fmt_num(value),
           "num_comma": f"{value:,.2f}", "num_unit": f"{_fmt_num(value)}元"}[style]
    return raw, value


def _variants(label: str, suffix: bool) -> list[str]:
    """Spellings people type: inner/outer spaces, a trailing 类 (``文体类``)."""
    mid = max(1, len(label) // 2)
    out = [f" {label} ", label + "\u3000"]
    if len(label) > 1:
        out.append(label[:mid] + " " + label[mid:])
    if suffix:
        out.append(label + "类")
    return out


def _render_category(ctx: _Ctx, value: str | None, col: Column, cats: CategoryList) -> tuple[Any, Any]:
    if value is None:
        return None, col.blank
    if not ctx.mess:
        return value, value
    if col.blank is not None and value == col.blank and ctx.rng.random() < 0.3:
        return None, value  # blank means the default (是否立案 → 是)
    style = ctx.style(("category_variant", "category_synonym"), 0.2)
    if style == "category_synonym":
        syns = [s for s in cats.values[value] if not _is_ascii(s) or cats.name == "yesno"]
        syns = [s for s in syns if cats.canonical(s) == value]
        if syns:
            ctx.used(style)
            return ctx.rng.choice(syns), value
        style = "category_variant"
    if style == "category_variant":
        opts = [v for v in _variants(value, cats.unknown is not None) if cats.canonical(v) == value]
        if opts:
            ctx.used(style)
            return ctx.rng.choice(opts), value
    return value, value


_UNKNOWN_LABELS = {
    "activity_category": ("座谈交流", "茶话会", "读书分享会", "观影"),
    "care_reason": ("走访", "高温送清凉", "看望老党员"),
    "training_type": ("礼仪", "急救知识", "心理健康"),
    "publicity_form": ("宣传册", "展览", "座谈会"),
}


def _unknown_labels(cats: CategoryList) -> list[str]:
    return [x for x in _UNKNOWN_LABELS.get(cats.name, ()) if cats.canonical(x) is None]


def _render_account(ctx: _Ctx, rec: dict, schema: Schema) -> tuple[Any, str]:
    """科目 as written (sub-items, legacy names) and the canonical account."""
    account, item = rec["account"], rec.get("_item")
    options: dict[str, str] = {}
    if ctx.mess:
        if account == "对附属单位的支出":
            options["fund_legacy"] = "事业支出"
        elif account == "附属单位上缴收入":
            options["fund_legacy"] = "事业收入"
        if item:
            options["fund_subitem_dash"] = f"{account}-{item}"
            options["fund_subitem_alone"] = item
            if rec["direction"] == "支出" and not item.endswith("支出"):
                options["fund_subitem_suffix"] = f"{item}支出"
    options = {k: v for k, v in options.items() if _resolve_account(v, schema) == (rec["direction"], account)}
    style = ctx.style(list(options), 0.5 if "fund_legacy" in options else 0.35) if options else None
    if style is None:
        return account, account
    ctx.used(style)
    return options[style], account


# --------------------------------------------------------------------------
# tables: rows of raw cells with their truth, laid out on a sheet


@dataclass
class _Row:
    cells: list
    kind: str = "record"  # record | duplicate | subtotal | other_year | note | blank
    truth: dict | None = None
    hidden: bool = False
    flags: list = field(default_factory=list)  # (anomaly kind, column key, raw) of counted rows
    formulas: dict = field(default_factory=dict)  # column index -> formula text (cached value = cell)
    of: "_Row | None" = None  # duplicate source
    sum_cols: tuple = ()  # subtotal: columns to sum
    partial: bool = False  # subtotal: a 小计 of the rows since the previous one
    excel_row: int = 0


@dataclass
class _Table:
    key: str
    name: str
    headers: list[str]
    columns: list[Column]
    rows: list[_Row]
    scales: dict[str, float]
    titles: list[str]
    blank_cols: list[int]  # logical positions (before which a blank column is inserted)
    leading_blank: bool = False
    header_row: int = 1


def _written_headers(ctx: _Ctx, sheet: Sheet, aliases: bool) -> list[str]:
    """Headers as written: canonical, or aliases that still resolve uniquely."""
    labels = {norm_key(c.label) for c in sheet.columns}
    out, seen = [], set()
    for c in sheet.columns:
        name = c.label
        if aliases and c.aliases and ctx.rng.random() < 0.6:
            ok = [a for a in c.aliases if norm_key(a) not in labels and norm_key(a) not in seen]
            if ok:
                name = ctx.rng.choice(ok)
        seen.add(norm_key(name))
        out.append(name)
    return out


def _render_record(ctx: _Ctx, sheet: Sheet, rec: dict, scales: dict[str, float], schema: Schema) -> _Row:
    cells, truth, flags = [], {}, []
    for c in sheet.columns:
        v = rec.get(c.key)
        if c.type == "date":
            raw, tv = _render_date(ctx, v, sheet.key, c.key)
        elif c.type == "count":
            raw, tv = _render_count(ctx, v, sheet.key, c, flags)
        elif c.type == "money":
            raw, tv = _render_money(ctx, v, c, scales.get(c.key, 1.0))
        elif c.type == "number":
            raw, tv = (v, v)
            if v is not None and ctx.mess and ctx.style(("num_text",)) == "num_text":
                ctx.used("num_text")
                raw = _fmt_num(v)
        elif c.type in ("category", "yesno"):
            raw, tv = _render_category(ctx, v, c, schema.categories[c.categories])
        elif c.type == "account":
            raw, tv = _render_account(ctx, rec, schema)
        else:
            raw, tv = v, v
        cells.append(raw)
        truth[c.key] = tv
    if sheet.key == "funds":  # 收支 may be left blank: it follows from the 科目
        i = sheet.column_keys.index("direction")
        truth["direction"] = rec["direction"]
        if ctx.mess and ctx.style(("blank_direction",), 0.15):
            ctx.used("blank_direction")
            cells[i] = None
    if rec.get("_cash_gift"):
        flags.append(("cash_gift", "amount", cells[sheet.column_keys.index("amount")]))
        if ctx.mess:
            ctx.used("cash_gift")
    return _Row(cells, truth=truth, flags=flags)


def _plain_rows(rows: list[_Row]) -> list[int]:
    return [i for i, r in enumerate(rows) if r.kind == "record" and not r.flags and not r.hidden
            and not r.formulas and (r.truth or {}).get("date", 0) is not None]


def _build_table(ctx: _Ctx, sheet: Sheet, records: list[dict], unit: str, schema: Schema) -> _Table:
    rng, dated = ctx.rng, sheet.date_column is not None
    name = rng.choice(sheet.aliases) if sheet.aliases and ctx.want("alias_sheet_name") else sheet.label
    if name != sheet.label:
        ctx.used("alias_sheet_name")
    aliases = ctx.want("alias_headers")
    headers = _written_headers(ctx, sheet, aliases)
    if aliases and any(h != c.label for h, c in zip(headers, sheet.columns)):
        ctx.used("alias_headers")
    scales: dict[str, float] = {}
    money = [i for i, c in enumerate(sheet.columns) if c.type == "money"]
    if money and ctx.want("header_unit_wan"):
        i = money[0]
        headers[i] += "（万元）"
        scales[sheet.columns[i].key] = 10000.0
        ctx.used("header_unit_wan")
    elif money and ctx.want("header_unit_yuan"):
        headers[money[0]] += rng.choice(("（元）", "(元)"))
        ctx.used("header_unit_yuan")

    records = [dict(r) for r in records]
    if dated and records and ctx.want("no_date"):
        rec = rng.choice(records)
        rec["date"] = None
        rec["_no_date"] = True
    rows = [_render_record(ctx, sheet, r, scales, schema) for r in records]
    for r, rec in zip(rows, records):
        if rec.get("_no_date"):
            r.flags.append(("no_date", "date", None))
            ctx.used("no_date")

    if ctx.want("unknown_category"):
        _plant_unknown_category(ctx, sheet, rows, schema)
    if ctx.want("formula_cached"):
        _plant_record_formula(ctx, sheet, rows, scales)
    plain = _plain_rows(rows)
    if plain and ctx.want("hidden_row"):
        for i in rng.sample(plain, min(len(plain), rng.randint(1, 2))):
            rows[i].hidden = True
            rows[i].flags.append(("hidden_row", None, None))
            ctx.used("hidden_row")
    plain = _plain_rows(rows)
    if plain and ctx.want("duplicate"):
        i = rng.choice(plain)
        dup = _Row(list(rows[i].cells), kind="duplicate", of=rows[i])
        rows.insert(i + 1 + rng.choice((0, 0, 1)), dup)
        ctx.used("duplicate")
    if dated and records and ctx.want("other_year"):
        rows.insert(rng.choice((0, len(rows))), _other_year_row(ctx, sheet, records, scales, schema))
        ctx.used("other_year")
    if rows and ctx.want("blank_rows"):
        for _ in range(rng.randint(1, 3)):
            rows.insert(rng.randint(1, len(rows)), _Row([None] * len(sheet.columns), kind="blank"))
        ctx.used("blank_rows")
    if rows and ctx.want("subtotal"):
        _plant_subtotals(ctx, sheet, rows)
    if ctx.want("note"):
        rows.append(_Row([None] * len(sheet.columns), kind="blank"))
        rows.append(_Row(["填表说明：本表按时间顺序逐条填写，金额单位为元，次年1月15日前报上级工会。"], kind="note"))
        if rng.random() < 0.7:
            rows.append(_Row(["制表人：工会办    审核人：工会主席"], kind="note"))
        ctx.used("note", sum(r.kind == "note" for r in rows))

    titles: list[str] = []
    if ctx.want("title_rows"):
        titles.append(f"{ctx.year}年{unit}{name}")
        if rng.random() < 0.5:
            titles.append(f"填报单位（盖章）：{unit}")
        ctx.used("title_rows")
    blank_cols: list[int] = []
    leading = False
    if ctx.want("blank_columns"):
        if rng.random() < 0.4:
            leading = True
        else:
            blank_cols.append(rng.randint(1, len(sheet.columns) - 1))
        ctx.used("blank_columns")
    return _Table(sheet.key, name, headers, list(sheet.columns), rows, scales, titles, blank_cols, leading)


def _other_year_row(ctx: _Ctx, sheet: Sheet, records: list[dict], scales, schema) -> _Row:
    rec = dict(ctx.rng.choice(records))
    rec.pop("_cash_gift", None)
    rec[sheet.date_column] = dt.date(ctx.year - 1, 12, ctx.rng.randint(10, 31))
    if "note" in sheet.column_keys:
        rec["note"] = "上年补录"
    if "number" in sheet.column_keys:
        rec["number"] = f"TA{ctx.year - 1}-补"
    if "voucher" in sheet.column_keys:
        rec["voucher"] = f"付-{ctx.year - 1}-补"
    pending, ctx.pending = ctx.pending, set()  # forced kinds must land on counted rows
    row = _render_record(ctx, sheet, rec, scales, schema)
    ctx.pending = pending
    row.kind, row.flags = "other_year", []
    return row


def _plant_unknown_category(ctx: _Ctx, sheet: Sheet, rows: list[_Row], schema: Schema) -> None:
    """One label that is in no list (``茶话会``): read as 其他, with a warning."""
    cols = [j for j, c in enumerate(sheet.columns) if c.categories and _unknown_labels(schema.categories[c.categories])]
    plain = _plain_rows(rows)
    if not cols or not plain:
        return
    j = ctx.rng.choice(cols)
    col, cats = sheet.columns[j], schema.categories[sheet.columns[j].categories]
    row = rows[ctx.rng.choice(plain)]
    raw = ctx.rng.choice(_unknown_labels(cats))
    row.cells[j] = raw
    row.truth[col.key] = cats.unknown
    row.flags.append(("unknown_category", col.key, raw))
    ctx.used("unknown_category")


def _plant_record_formula(ctx: _Ctx, sheet: Sheet, rows: list[_Row], scales) -> None:
    """A money cell typed as ``=a+b`` (its cached value is the amount)."""
    keys = [c.key for c in sheet.columns]
    money = [i for i, c in enumerate(sheet.columns) if c.type == "money" and c.key not in scales]
    if not money:
        return
    j = money[0]
    cand = [i for i in _plain_rows(rows) if isinstance(rows[i].cells[j], (int, float)) and rows[i].cells[j] >= 200]
    if not cand:
        return
    row = rows[ctx.rng.choice(cand)]
    value = float(round(row.cells[j]))
    b = float(ctx.rng.randrange(100, int(value), 50)) if value > 150 else 0.0
    row.cells[j] = value
    row.truth[keys[j]] = value
    row.formulas[j] = f"{_fmt_num(value - b)}+{_fmt_num(b)}"
    ctx.used("formula_cached")


def _plant_subtotals(ctx: _Ctx, sheet: Sheet, rows: list[_Row]) -> None:
    """A 合计/总计 row at the end, sometimes a 小计 half-way."""
    sum_cols = tuple(i for i, c in enumerate(sheet.columns) if c.type in ("count", "money"))
    label_col = 0 if ctx.rng.random() < 0.6 else 1
    n = len(sheet.columns)
    n_records = sum(1 for r in rows if r.kind == "record")
    unit = "人" if sheet.key == "members" else "项"

    def make(word: str, partial: bool) -> _Row:
        cells = [None] * n
        cells[label_col] = word
        if not sum_cols:
            cells[(label_col + 1) % n] = f"共{n_records}{unit}"
        return _Row(cells, kind="subtotal", sum_cols=sum_cols, partial=partial)

    records = [i for i, r in enumerate(rows) if r.kind == "record"]
    if len(records) >= 8 and ctx.rng.random() < 0.3:
        rows.insert(records[len(records) // 2] + 1, make("小计", True))
    rows.append(make(ctx.rng.choice(("合计", "合计", "总计", "小 计")), False))
    ctx.used("subtotal", sum(r.kind == "subtotal" for r in rows))


def _layout(table: _Table, use_formulas: bool) -> list[list]:
    """Assign Excel row numbers; the grid to write (titles, header, rows)."""
    lead = [None] * int(table.leading_blank)
    grid: list[list] = [lead + [t] for t in table.titles]
    if table.titles:
        grid.append([])
    table.header_row = len(grid) + 1
    grid.append(_spread(table, table.headers))
    for r in table.rows:
        r.excel_row = len(grid) + 1
        grid.append(_spread_note(table, r.cells[0]) if r.kind == "note" else None)
    start, seg = table.header_row + 1, table.header_row + 1
    for r in table.rows:
        if r.kind == "subtotal":
            # ranges a person would sum: from the segment start, skipping earlier subtotals
            subs = [x.excel_row for x in table.rows if x.kind == "subtotal" and (seg if r.partial else start) <= x.excel_row < r.excel_row]
            lo, ranges = (seg if r.partial else start), []
            for s_row in subs + [r.excel_row]:
                if s_row > lo:
                    ranges.append((lo, s_row - 1))
                lo = s_row + 1
            for j in r.sum_cols:
                total = sum(x.cells[j] for x in table.rows if x.kind != "subtotal"
                            and any(a <= x.excel_row <= b for a, b in ranges)
                            and isinstance(x.cells[j], (int, float)) and not isinstance(x.cells[j], bool))
                r.cells[j] = round(total, 6)
                if use_formulas and ranges:
                    letter = get_column_letter(_excel_col(table, j))
                    r.formulas[j] = "+".join(f"SUM({letter}{a}:{letter}{b})" for a, b in ranges)
            if r.partial:
                seg = r.excel_row + 1
        if r.kind != "note":
            grid[r.excel_row - 1] = _spread(table, r.cells)
    return grid


def _excel_col(table: _Table, j: int) -> int:
    """1-based Excel column of logical column ``j``."""
    return j + 1 + int(table.leading_blank) + sum(1 for b in table.blank_cols if b <= j)


def _spread(table: _Table, cells: list) -> list:
    out = [None] * (len(table.columns) + len(table.blank_cols) + int(table.leading_blank))
    for j, v in enumerate(cells):
        out[_excel_col(table, j) - 1] = v
    return out


def _spread_note(table: _Table, text: str) -> list:
    out = [None] * (int(table.leading_blank) + 1)
    out[-1] = text
    return out


# --------------------------------------------------------------------------
# workbook


def _info_rows(ctx: _Ctx, info: dict, schema: Schema) -> list[list]:
    sheet = schema.sheet("info")
    alias = ctx.mess and ctx.want("info_alias_keys")
    text = ctx.mess and ctx.want("info_text_values")
    rows = []
    for c in sheet.columns:
        key = c.label
        if alias and c.aliases and ctx.rng.random() < 0.5:
            key = ctx.rng.choice(c.aliases)
        elif alias and ctx.rng.random() < 0.3:
            key = c.label + "："
        v = info[c.key]
        if text and c.key == "year":
            v = ctx.rng.choice((f"{v}年", f"{v}年度"))
        elif text and c.key == "employees":
            v = f"{v}人"
        elif text and c.key == "fill_date":
            v = f"{v.year}年{v.month}月{v.day}日"
        rows.append([key, v])
    if alias:
        ctx.used("info_alias_keys")
    if text:
        ctx.used("info_text_values")
    return rows


def _write_workbook(path: Path, info_rows: list[list], tables: list[_Table], extra_sheet: bool,
                    use_formulas: bool) -> int:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    for r in info_rows:
        ws.append(r)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 24
    cached: dict[str, dict[str, float]] = {}
    n_rows = 0
    for t in tables:
        ws = wb.create_sheet(t.name)
        grid = _layout(t, use_formulas)
        for row in grid:
            ws.append(row)
        width = len(t.columns) + len(t.blank_cols) + int(t.leading_blank)
        c0 = 1 + int(t.leading_blank)
        for i in range(len(t.titles)):
            ws.merge_cells(start_row=i + 1, start_column=c0, end_row=i + 1, end_column=width)
        for r in t.rows:
            if r.hidden:
                ws.row_dimensions[r.excel_row].hidden = True
            for j, f in r.formulas.items():
                cell = ws.cell(row=r.excel_row, column=_excel_col(t, j))
                cached.setdefault(t.name, {})[cell.coordinate] = cell.value
                cell.value = "=" + f
            n_rows += r.kind != "blank"
        for j in range(1, width + 1):
            ws.column_dimensions[get_column_letter(j)].width = 13
    if extra_sheet:
        wb.create_sheet("Sheet2")
    from gonghui_kit.ledgers.template import save_workbook_atomic

    save_workbook_atomic(wb, path)
    if cached:
        _inject_cached_values(path, cached)
    return n_rows


_TAG_RE = {"sheet": re.compile(r"<sheet\b[^>]*>"), "rel": re.compile(r"<Relationship\b[^>]*>")}


def _attr(tag: str, name: str) -> str:
    m = re.search(rf'\s{name}="([^"]*)"', tag)
    return m.group(1) if m else ""


def _inject_cached_values(path: Path, cached: dict[str, dict[str, float]]) -> None:
    """Give formula cells written by openpyxl a cached value (``<v>``), as Excel does."""
    import html

    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
        wbx = zf.read("xl/workbook.xml").decode()
        rels_xml = zf.read("xl/_rels/workbook.xml.rels").decode()
    rels = {_attr(t, "Id"): _attr(t, "Target") for t in _TAG_RE["rel"].findall(rels_xml)}
    parts = {}
    for tag in _TAG_RE["sheet"].findall(wbx):
        tgt = rels[_attr(tag, "r:id")]
        parts[tgt.lstrip("/") if tgt.startswith("/") else "xl/" + tgt] = html.unescape(_attr(tag, "name"))
    out = []
    for info, data in items:
        sheet = parts.get(info.filename)
        if sheet in cached:
            xml = data.decode()
            for ref, value in cached[sheet].items():
                pat = re.compile(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/?>(?:</v>)?')
                xml, n = pat.subn(lambda m: f"{m.group(1)}<v>{_fmt_num(value)}</v>", xml, count=1)
                if n != 1:
                    raise RuntimeError(f"formula cell {sheet}!{ref} not found in {path.name}")
            data = xml.encode()
        out.append((info, data))
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in out:
            zf.writestr(info, data)
    tmp.replace(path)


def _file_name(ctx: _Ctx, unit: str, year: int, mess: bool, old_name: str | None) -> str:
    if not mess:
        return f"{year}年{unit}台账.xlsx"
    y, u = year, unit
    if ctx.want("misleading_file_name"):
        ctx.used("misleading_file_name")
        if old_name and ctx.rng.random() < 0.5:
            u = old_name
        else:
            y = year - 1
    pattern = ctx.rng.choice((
        "{y}年{u}台账(终稿).xlsx", "{u}{y}台账-改(1).xlsx", "{u}工作台账{y}.xlsx", "{y}年度{u}台账（最终版）.xlsx",
        "附件3-{u}{y}年台账.xlsx", "{u}台账 {y} v2.xlsx", "{y}{u}工作台账(1)(1).xlsx", "{y}年{u}台账(终稿)(1).xlsx",
    ))
    return _safe_filename(pattern.format(y=y, u=u))


# --------------------------------------------------------------------------
# planning which workbook gets which mess


def _plan_mess(n: int, mess: bool, rng: Random) -> list[tuple[set[str], set[str]]]:
    """Per workbook: (enabled kinds, forced kinds).  Every kind is forced in
    exactly one workbook so that a sample always holds all of them."""
    if not mess:
        return [(set(), set()) for _ in range(n)]
    forced: list[set[str]] = [set() for _ in range(n)]
    off = rng.randrange(n)
    for i, kind in enumerate(MESS_KINDS):
        forced[(off + i * 7) % n].add(kind)
    out = []
    for f in forced:
        enabled = {k for k in MESS_KINDS if rng.random() < max(_P_KIND, _RARE.get(k, 0))}
        out.append((enabled, f))
    return out


# --------------------------------------------------------------------------
# truth


def _table_truth(t: _Table) -> tuple[dict, list[dict]]:
    records, anomalies = [], []

    def anomaly(kind, row, column=None, raw=None, **extra):
        header = t.headers[[c.key for c in t.columns].index(column)] if column else None
        anomalies.append({"sheet": t.name, "sheet_key": t.key, "row": row, "kind": kind,
                          "counted": ANOMALY_KINDS[kind], "column": column, "header": header,
                          "raw": None if raw is None else (raw if isinstance(raw, (int, float)) else str(raw)), **extra})

    for r in t.rows:
        if r.kind == "record":
            records.append({"_row": r.excel_row, **r.truth})
            for kind, col, raw in r.flags:
                anomaly(kind, r.excel_row, col, raw)
        elif r.kind == "duplicate":
            anomaly("duplicate", r.excel_row, of_row=r.of.excel_row)
        elif r.kind in ("subtotal", "other_year", "note"):
            raw = r.cells[0] if r.kind == "note" else None
            if r.kind == "other_year":
                key = _date_key(t)
                anomaly("other_year", r.excel_row, key, r.cells[[c.key for c in t.columns].index(key)],
                        value=r.truth[key])
            else:
                anomaly(r.kind, r.excel_row, raw=raw)
    sheet = {"name": t.name, "header_row": t.header_row,
             "headers": {c.key: h for c, h in zip(t.columns, t.headers)},
             "scale": dict(t.scales), "records": records}
    return sheet, anomalies


def _date_key(t: _Table) -> str:
    return load_schema().sheet(t.key).date_column


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and not (isinstance(obj, tuple) and len(obj) == 2 and all(isinstance(x, int) for x in obj)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, tuple):
        return f"{obj[0]:04d}-{obj[1]:02d}"
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def truth_to_json(truth: dict) -> str:
    """One workbook's truth as JSON text (dates ISO, month-only ``YYYY-MM``)."""
    return json.dumps(_jsonable(truth), ensure_ascii=False, indent=1, sort_keys=True)


def read_truth(path: str | Path) -> dict:
    """Read a ``_truth/*.json`` back, with dates of date columns as
    ``datetime.date`` and month-only dates as ``(year, month)``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    schema = load_schema()

    def conv(v):
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return dt.date.fromisoformat(v)
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}", v):
            return (int(v[:4]), int(v[5:]))
        return v

    for key, sheet in data["sheets"].items():
        dates = {c.key for c in schema.sheet(key).columns if c.type == "date"}
        for r in sheet["records"]:
            for k in dates & set(r):
                r[k] = conv(r[k])
    data["info"]["fill_date"] = conv(data["info"].get("fill_date"))
    for a in data["anomalies"]:
        if "value" in a:
            a["value"] = conv(a["value"])
    return data


# --------------------------------------------------------------------------
# entry point


def _unit_factor(p: UnitProfile, size: float, rows_per_workbook: int | None) -> float:
    if not rows_per_workbook:
        return size
    m = p.employees * p.member_rate
    base = m * 1.05 + (5 + m / 25) + (8 + p.employees / 25) + 10 + (3 + m / 15) + (2 + m / 40) \
        + (3 + m / 30) + (2 + m / 60) + 2.5
    return max(0.05, rows_per_workbook / base)


def generate_sample(
    out_dir: str | Path,
    *,
    units: int = 12,
    years: Sequence[int] = (2022, 2023, 2024),
    seed: int = 0,
    mess: bool = True,
    size: float = 1.0,
    rows_per_workbook: int | None = None,
    write_truth: bool = False,
) -> SampleResult:
    """Write sample ledgers to ``out_dir/<年度>/`` and return what was planted.

    ``units`` units (a mix of 企业分工会, 学校, 幼儿园, 机关) × ``years``, one
    workbook each.  ``size`` multiplies every row count (staff and members
    included); ``rows_per_workbook`` instead sizes each unit so that its
    workbooks hold about that many data rows (for benchmarks, e.g. 5000).
    Same ``seed`` → same workbooks and the same truth.  Existing files with
    the same names are overwritten; other files are left alone.
    """
    schema = load_schema()
    out_dir = Path(out_dir)
    years = sorted({int(y) for y in years})
    if not years:
        raise ValueError("years must not be empty")
    profiles = unit_profiles(units)
    last = years[-1] if len(years) > 1 else None
    plans = _plan_mess(len(profiles) * len(years), mess, Random(f"{seed}/plan"))
    files: list[Path] = []
    truth: dict[str, dict] = {}
    renames: dict[str, list[str]] = {}
    k = 0
    carry: set[str] = set()  # forced kinds a workbook could not place go to the next one
    taken: set[str] = set()
    for ui, p in enumerate(profiles):
        factor = _unit_factor(p, size, rows_per_workbook)
        sim = _simulate_unit(p, years, Random(f"{seed}/unit/{ui}"), factor)
        current = p.renamed_to if (p.renamed_to and last) else p.name
        if current != p.name:
            renames[current] = [p.name]
        for t, year in enumerate(years):
            enabled, forced = plans[k]
            k += 1
            ctx = _Ctx(Random(f"{seed}/wb/{ui}/{year}"), year, enabled, forced | carry, mess)
            unit = p.renamed_to if (p.renamed_to and year == last) else p.name
            rel, wb_truth = _one_workbook(ctx, schema, p, sim, unit, current, year, t, factor, out_dir, taken)
            carry = set(ctx.pending)
            files.append(out_dir / rel)
            truth[rel] = wb_truth
            if write_truth:
                tdir = out_dir / str(year) / "_truth"
                tdir.mkdir(parents=True, exist_ok=True)
                (tdir / (Path(rel).stem + ".json")).write_text(truth_to_json(wb_truth), encoding="utf-8")
    return SampleResult(out_dir, files, truth, renames, sorted({t["unit_current"] for t in truth.values()}))


def _one_workbook(ctx: _Ctx, schema: Schema, p: UnitProfile, sim: _UnitSim, unit: str, current: str,
                  year: int, t: int, factor: float, out_dir: Path, taken: set[str]) -> tuple[str, dict]:
    """Content, mess and layout of one unit-year; writes it, returns (relative path, truth)."""
    rng, mess = ctx.rng, ctx.mess
    fill_date = dt.date(year + 1, 1, rng.randint(5, 20))
    roster = _roster(sim, year, fill_date, late_joiners=mess)
    active = [m for m in roster if m.join.year <= year and (m.leave is None or m.leave.year > year)]
    names = [m.name for m in active] or ["张某甲"]
    n_members = max(1, len(active))
    people = _People(Random(rng.random()))
    info = {"unit_name": unit, "year": year, "parent_union": p.parent, "employees": sim.employees[year],
            "chair": people.name(), "filler": people.name(), "fill_date": fill_date}
    short = unit.replace("机关工会", "").replace("分工会", "").replace("工会", "")
    content = {
        "members": _member_records(roster, year),
        "activities": _activities(rng, p, year, t, n_members, factor, len(ctx.pending & set(_MISSING_STYLES)) + 1),
        "funds": _funds(rng, p, year, sim.employees[year], n_members, factor, legacy="fund_legacy" in ctx.enabled),
        "care": _care(rng, p, year, names, n_members, factor, p.cash_gifts or "cash_gift" in ctx.enabled),
        "proposals": _proposals(rng, p, year, names, n_members, factor),
        "publicity": _publicity(rng, p, year, t, n_members, factor, short),
        "training": _training(rng, p, year, t, n_members, factor),
        "awards": _awards(rng, p, year, t, factor),
    }
    absent: list[str] = []
    if mess and p.kind == "幼儿园":
        absent.append("proposals")
    if mess and ctx.want("missing_sheet"):
        absent.append("awards" if "proposals" in absent else rng.choice(("proposals", "awards")))
    if absent:
        ctx.used("missing_sheet", len(absent))
    info_rows = _info_rows(ctx, info, schema)
    tables = [_build_table(ctx, s, content[s.key], unit, schema)
              for s in schema.record_sheets if s.key not in absent]
    extra = mess and ctx.want("extra_sheet")
    if extra:
        ctx.used("extra_sheet")
    name = _file_name(ctx, unit, year, mess, p.name if unit != p.name else None)
    rel, n = f"{year}/{name}", 2
    while rel.lower() in taken:
        rel, n = f"{year}/{Path(name).stem}({n}).xlsx", n + 1
    taken.add(rel.lower())
    path = out_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    use_formulas = "formula_cached" in ctx.enabled and mess
    n_rows = _write_workbook(path, info_rows, tables, extra, use_formulas)
    if use_formulas and any(r.kind == "subtotal" for tb in tables for r in tb.rows):
        ctx.used("formula_cached")
    sheets, anomalies = {}, []
    for tb in tables:
        sheets[tb.key], an = _table_truth(tb)
        anomalies.extend(an)
    wb_truth = {"file": rel, "unit": unit, "unit_current": current, "kind": p.kind, "year": year, "info": info,
                "sheets": sheets, "absent": absent, "anomalies": anomalies, "mess": dict(sorted(ctx.counts.items())),
                "n_rows": n_rows}
    return rel, wb_truth
