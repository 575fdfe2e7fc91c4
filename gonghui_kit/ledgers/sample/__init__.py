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

Modules: :mod:`.simulate` (units, members, canonical records), :mod:`.mess`
(which mess goes where, how values are spelled), :mod:`.tables` (record
sheets with their planted rows), :mod:`.write` (workbooks and file names),
:mod:`.truth` (ground truth, JSON), :mod:`.generate` (the entry point),
:mod:`.values` (small spelling helpers).
"""

from gonghui_kit.ledgers.sample.generate import generate_sample
from gonghui_kit.ledgers.sample.mess import MESS_KINDS
from gonghui_kit.ledgers.sample.simulate import UnitProfile, unit_profiles
from gonghui_kit.ledgers.sample.truth import ANOMALY_KINDS, SampleResult, read_truth, truth_to_json

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
