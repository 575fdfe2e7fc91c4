"""What a grassroots clerk should do about each finding code (怎么改).

One table, data not branches: ``FIXES[code]`` holds the fix in plain words
and whether the problem is listed in the unit's 问题清单 at all.  Errors and
warnings are always listed; an info-level finding is listed only when the
unit has something to do or confirm (``listed=True``).  The others (blank
rows, subtotal rows, dates written as text that were read anyway …) were
handled safely and are only counted on the cover line.

>>> fix_for("date_invalid").how[:8]
'请改为“2023'
>>> fix_for("standard:care_cash").how == FIXES["standard"].how
True
>>> is_listed("error", "subtotal"), is_listed("info", "subtotal"), is_listed("info", "sheet_absent")
(True, False, True)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Fix", "FIXES", "DEFAULT_FIX", "fix_for", "is_listed"]


@dataclass(frozen=True)
class Fix:
    how: str
    listed: bool = True  # an info-level finding of this code is listed (else only counted)


_RESAVE = "请在 Excel 或 WPS 中打开原文件，点“文件—另存为”，类型选“Excel 工作簿（*.xlsx）”，保存后重新报送这个新文件。"
_FRESH = (
    "请在自己电脑上用 Excel 或 WPS 打开原文件确认能正常打开，再“另存为” .xlsx 重新报送；"
    "打不开时请从原始数据重新填写模板。"
)
_DATE = "请改为“2023-07-01”这样的完整日期（年-月-日）；确实不知道日期的，请在备注里说明。"
_NUMBER = "请只填写数字（如 50、1200.5），不要写汉字、单位或符号；没有的填 0，不清楚的请核实后填写。"
_CATEGORY = "请从下拉选项（或填表说明列出的类别）中选择一个填写；确实不属于任何类别的，选“其他”并在备注中说明。"

FIXES: dict[str, Fix] = {
    # -- the file as a whole (safety and reading) --------------------------------
    "not_found": Fix("请确认文件已放入报送文件夹，然后重新报送。"),
    "unreadable": Fix("文件无法访问。请重新复制或下载一份文件后重新报送。"),
    "symlink": Fix("请不要报送快捷方式，直接报送 Excel 文件本身。"),
    "odd_file_name": Fix(
        "文件名含有无法识别的字符（常见于在其他电脑上解压缩的文件）。请把文件改名为“年度+单位名称+台账.xlsx”后重新报送。"
    ),
    "changed_while_read": Fix("读取时文件正在被修改。请关闭正在编辑该文件的程序，保存好后重新报送。"),
    "is_dir": Fix("这是一个文件夹，请把里面的台账 Excel 文件本身报送上来。"),
    "not_file": Fix("请直接报送 Excel 台账文件（.xlsx）。"),
    "empty": Fix("文件是空的。请重新保存或导出台账后报送。"),
    "not_workbook": Fix(
        "这不是 Excel 工作簿（可能是改了后缀名的其他文件）。请用 Excel 或 WPS 打开台账模板填写，保存为 .xlsx 后报送。"
    ),
    "encrypted": Fix("文件设置了打开密码。请在 Excel/WPS 中“文件—信息—保护工作簿”取消密码，保存后重新报送。"),
    "xls": Fix(_RESAVE),
    "xlsb": Fix(_RESAVE),
    "corrupt": Fix(_FRESH),
    "zip_bomb": Fix(
        "文件内部结构异常，为安全起见没有打开。请删除多余的行、列和图片，另存为 .xlsx 后重新报送；"
        "仍不行请联系上级工会。"
    ),
    "xml_entities": Fix("文件内部结构异常，为安全起见没有打开。请用 Excel 或 WPS 重新填写模板并另存为 .xlsx 后报送。"),
    "too_large": Fix("文件太大。请删除图片、多余的行列和无关的工作表后另存为 .xlsx 重新报送。"),
    "too_many_cells": Fix("请选中表格右侧和下方多余的空行空列，点右键“删除”（不是“清除内容”），保存后重新报送。"),
    "too_many_rows": Fix(
        "请删除表格下方多余的空行（选中后右键“删除”），保存后重新报送；数据确实很多的，请拆成几个工作表。"
    ),
    "too_many_cols": Fix("请删除表格右侧多余的空列（选中后右键“删除”），保存后重新报送。"),
    "long_text": Fix("有的单元格文字过长。请把长文字精简到 32000 字以内，或改写在附件材料里。"),
    "odd_encoding": Fix("请在 Excel/WPS 中打开后“另存为” .xlsx 重新报送，以防部分内容读不到。"),
    "external_links": Fix(
        "如表中数字引用了其他文件，请在 Excel 中点“数据—编辑链接—断开链接”，保存后重新报送；数字无误的可不改。"
    ),
    "macros": Fix("文件含宏，宏不会运行，无需处理。", listed=False),
    "control_chars": Fix("个别单元格含不可见字符，已自动去掉，无需处理。", listed=False),
    "lock_file": Fix("这是 Excel/WPS 打开文件时产生的临时文件，无需处理。", listed=False),
    "not_ledger": Fix("不是台账文件，已跳过，无需处理。", listed=False),
    "duplicate_workbook": Fix("同一单位同一年度报送了多份台账。请只保留一份最终版本，删除或撤回其他版本。"),
    # -- 基本信息 -----------------------------------------------------------------
    "no_info": Fix("请按模板补上“基本信息”工作表，填好单位名称、年度、职工人数后重新报送。"),
    "no_unit_year": Fix("请在“基本信息”表中填写单位名称和年度（四位年份，如 2023）后重新报送。"),
    "bad_year": Fix("请把“年度”改为四位数字年份，如 2023。"),
    "bad_number": Fix(_NUMBER),
    "other_year_workbook": Fix(
        "请确认报送的是本年度的台账：如文件放错了，请换成本年度的文件；如只是“年度”填错了，请改正后重新报送。"
    ),
    "unknown_unit": Fix("请把“单位名称”改为上级工会通知中的标准全称（如改过名，请告知上级工会登记）。"),
    # -- sheets and headers -------------------------------------------------------
    "unknown_sheet": Fix(
        "这个工作表没有被读取。如果里面是台账数据，请把工作表名称改成模板中的标准名称；不是台账数据的可不改。"
    ),
    "sheet_absent": Fix("本年度确实没有这项工作的，无需处理；如有，请按模板补上这个工作表并填写。"),
    "sheet_by_header": Fix("请把工作表名称改为模板中的标准名称（不改也能读取）。"),
    "no_header": Fix("请把这张表的第一行（或标题下面一行）改为模板中的列名，不要删除或改动列名，然后重新报送。"),
    "unknown_column": Fix("这一列没有被读取。如果是模板中的某一列，请把列名改成模板上的写法；是自己加的辅助列可不改。"),
    "header_scale": Fix("列名中写了“万元”等单位，已自动换算，无需处理。", listed=False),
    "summary_empty": Fix("统计表中这一行只有单位名称，没有数；如这个单位有数，请补填。", listed=False),
    "hidden_rows": Fix("隐藏的行也按数据计入；如是作废的记录，请删除这些行后重新报送。", listed=False),
    "ditto": Fix("“同上”已按上一行的值计入，无需处理；今后请直接填写。", listed=False),
    "derived_from_id": Fix("出生日期或性别未填，已按身份证号推算，无需处理；如有条件请补填。", listed=False),
    "sheet_unit": Fix("按工作表名称把记录计入对应的分会；如表名不是分会名称，请改成台账的表名。", listed=False),
    "section": Fix("分段标题已识别，不作为记录，无需处理。", listed=False),
    "title_scale_conflict": Fix("表格上方写的金额单位和列名里写的单位不一致，已按列名计入；请删去不对的一处。"),
    "title_scale": Fix(
        "表格上方写了“单位：万元”，金额已自动换算为元，无需处理；请确认整张表都是这个单位。", listed=False
    ),
    "formula_no_value": Fix(
        "这个公式单元格没有算出结果。请在 Excel/WPS 中打开文件，按 F9（或保存前确认公式已计算）后重新保存报送。"
    ),
    # -- rows ---------------------------------------------------------------------
    "note": Fix("表格下方的说明文字不计入，无需处理。", listed=False),
    "subtotal": Fix("合计/小计行不计入（由系统汇总），无需处理。", listed=False),
    "duplicate": Fix(
        "这一行与上面某一行完全相同，只计了一次。如确是两次不同的活动或记录，请在其中一行的备注或日期上写明区别；是重复录入的，请删除这一行。"
    ),
    "other_year": Fix("这条记录的日期不在本年度，没有计入。请核对日期：如写错了请改正；确实是其他年度的记录请删除。"),
    "no_date": Fix(_DATE),
    "info_key_ignored": Fix("基本信息中的这一项不参与统计，无需处理。", listed=False),
    "unit_inferred": Fix(
        "没有“基本信息”，单位和年度是从标题行或文件夹名推断的。请核对是否正确；建议按模板补上“基本信息”工作表（单位名称、年度、职工人数）。"
    ),
    "summary_read": Fix("统计表的数值按报送数计入，无法逐条核对。请核对各单位的数字；有明细台账的，请按模板一并报送。"),
    "summary_inconsistent": Fix("这一行的数字前后矛盾（如参与人次少于活动场次）。请核对后改正。"),
    "summary_differs": Fix(
        "统计表的数字与明细台账（或基本信息）统计的不一致，报告按明细计。请逐条核对明细，更正有误的一方后重新报送。"
    ),
    "summary_as_reported": Fix("没有这一项的明细台账，按统计表报送数计入。请核对数字；有明细台账的，请按模板补报。"),
    "summary_agrees": Fix("统计表与明细台账一致，无需处理。", listed=False),
    "layout_ignored": Fix("按版式文件的说明没有读取，无需处理。", listed=False),
    "split_units": Fix("本表含多个单位的记录，已按单位列分别统计；请确认单位名称与名册一致。", listed=False),
    "two_amounts": Fix("一行只记一笔：同一行的收入和支出请拆成两行分别填写。"),
    "signature": Fix("签字、盖章、填表人等落款行不计入，无需处理。", listed=False),
    "repeated_header": Fix("表格中间重复的表头行不计入，无需处理；也可以删除这一行。", listed=False),
    "merged_cells": Fix(
        "合并单元格的内容已计入所跨的每一行，无需处理；今后请在每一行分别填写，不要合并单元格。", listed=False
    ),
    "hidden_sheet": Fix("这张隐藏的工作表已读取。如是作废的旧表，请删除它后重新报送；如是有效数据，请取消隐藏。"),
    "hidden_copy": Fix("隐藏的旧副本没有计入，以可见的工作表为准。请删除这张隐藏的工作表后重新报送。"),
    "hidden_sheet_differs": Fix(
        "隐藏的工作表与可见的同名工作表记录不同，没有计入。请确认哪一张正确，删除另一张（或把两张的记录合并到可见的工作表）后重新报送。"
    ),
    "direction_conflict": Fix("“收支”一栏与科目不一致。请核对：收入科目填“收入”，支出科目填“支出”。"),
    # -- cell values (loading's notes: <type>_<note>) -----------------------------
    "number_approx": Fix("请把“约”“余”“多”去掉，填写准确的数字。"),
    "number_text": Fix("数字写成了文本，已自动识别，无需处理。", listed=False),
    "number_missing_token": Fix("填写了“无/—”，按没有数据处理，无需处理；如实际是 0，可改填 0。", listed=False),
    "number_invalid": Fix(_NUMBER),
    "number_chinese": Fix("中文大写金额已自动识别，无需处理；今后请直接填写阿拉伯数字（如 3000）。", listed=False),
    "date_serial": Fix("日期已自动识别，无需处理。", listed=False),
    "date_text": Fix("日期已自动识别，无需处理。", listed=False),
    "date_chinese": Fix("日期已自动识别，无需处理。", listed=False),
    "date_no_year": Fix("日期未写年份，已按本年度补全，无需处理。", listed=False),
    "date_md_number": Fix("日期已按本年度补全，无需处理。", listed=False),
    "date_month_only": Fix("日期只写了年月，已按该月统计；如知道具体日期，可补上。", listed=False),
    "date_year_only": Fix(_DATE),
    "date_missing_token": Fix(_DATE),
    "date_invalid": Fix(_DATE),
    "date_ym_number": Fix("日期写成了数字“年.月”，已按该月统计；请改为“2024-03-05”这样的完整日期。", listed=False),
    "date_ym_in_date_cell": Fix(
        "单元格是日期格式，填进去的“2024.3”在 Excel 里显示成了 1905 年的日期；已按该月统计。"
        "请把这一列改为“2024-03-05”这样的完整日期。"
    ),
    "date_ym_ambiguous": Fix(
        "Excel 把“2024.10”存成了“2024.1”，分不清是1月还是10月。"
        "请把这个单元格设为文本，或改写为“2024-10-08”这样的完整日期。"
    ),
    "date_range": Fix("活动跨几天的，已按开始日期统计，无需处理。", listed=False),
    "date_two_digit_year": Fix(
        "两位数年份已按 20xx 年识别，无需处理；今后请写四位年份（如 2023-05-08）。", listed=False
    ),
    "category_synonym": Fix("类别写法已自动归入标准类别，无需处理。", listed=False),
    "category_unknown": Fix(_CATEGORY),
    "category_unknown_nodefault": Fix(_CATEGORY),
    "account_rollup": Fix("明细科目已自动归入上级科目，无需处理。", listed=False),
    "account_code": Fix("科目编码已按《工会会计制度》识别，无需处理。", listed=False),
    "account_code_conflict": Fix("科目编码与科目名称对不上（如 401 写成了支出科目）。请核对后把编码或名称改正。"),
    "account_unknown": Fix("请按工会会计制度的科目名称填写“科目”（如“职工活动支出”“会员会费收入”），不要自创名称。"),
    # -- cross-checks (ingest.check) ----------------------------------------------
    "left_without_date": Fix("状态是转出或除名的会员，请补填“离会日期”。"),
    "leave_before_join": Fix("离会日期比入会日期还早，请核对这两个日期并改正。"),
    "no_join_date": Fix("请补填“入会日期”（年-月-日）；确实查不到的，请填入会年份的 1 月 1 日并在备注中说明。"),
    "reply_before_proposal": Fix("答复日期比提出日期还早，请核对这两个日期并改正。"),
    "closed_without_reply": Fix("已办结的提案请补填“答复日期”。"),
    "fund_without_amount": Fix("请补填这笔经费的“金额”（只填数字，单位：元）。"),
    "fund_without_direction": Fix("请填写“收支”（收入或支出），或填写标准的“科目”名称。"),
    "negative_amount": Fix("金额是负数。如是冲销或退款，请在备注中写明；如是写错了，请改为正数。"),
    # -- spending standards (analysis.standards: code "standard:<rule id>") -------
    "standard": Fix("这笔支出超出了经费使用标准。请核对金额和用途：填错的请改正；确有特殊情况的，请在备注中说明依据。"),
}

DEFAULT_FIX = Fix("请核对这个单元格的内容，按填表说明改正；有疑问请联系上级工会。")


def fix_for(code: str) -> Fix:
    """The fix of a finding code (``standard:<rule>`` shares ``standard``'s)."""
    f = FIXES.get(code)
    if f is None:
        f = FIXES.get(code.split(":", 1)[0], DEFAULT_FIX)
    return f


def is_listed(severity: str, code: str) -> bool:
    """Whether a finding goes into the 问题清单 (else only counted on the cover line)."""
    return severity in ("error", "warning") or fix_for(code).listed
