"""How each parser note becomes a cell-level finding: ``NOTE_MESSAGES[(type,
note)] = (severity, action, message)``; the finding's code is
``<type>_<note>`` (``number_invalid``, ``date_ym_ambiguous`` …).  The one
place where the wording of cell-level findings is decided.

A value the parsers did not understand is an error (its data is not
counted: ``gonghui check`` exits 1); one read by a stated rule is a warning
or an info.
"""

from __future__ import annotations

__all__ = ["NOTE_MESSAGES", "YM_BY_ORDER"]

# How each parser note is reported: (severity, action, message).  The one
# place where the wording of cell-level findings is decided.
NOTE_MESSAGES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("number", "approx"): ("info", "converted", "近似数（约/余/多），按所写数字计入"),
    ("number", "text"): ("info", "converted", "文本格式的数字，已转换为数值"),
    ("number", "missing_token"): ("info", "missing", "填写为“无/—/-”，按缺失处理（不按 0 计）"),
    ("number", "invalid"): ("error", "missing", "无法识别为数字，未计入。请改为数字（如 50、1200.5）后重新报送"),
    ("number", "chinese"): ("info", "converted", "中文大写金额或中文数字，已转换为数值"),
    ("date", "serial"): ("info", "converted", "Excel 日期序列号，已转换为日期"),
    ("date", "text"): ("info", "converted", "文本格式的日期，已转换"),
    ("date", "chinese"): ("info", "converted", "中文数字日期，已转换"),
    ("date", "no_year"): ("info", "converted", "日期未写年份，按基本信息中的年度补全"),
    ("date", "md_number"): ("info", "converted", "日期写作“月.日”数字，按基本信息中的年度补全"),
    ("date", "ym_number"): ("info", "converted", "日期写作“年.月”数字（如 2024.3），已按该月读取"),
    ("date", "ym_in_date_cell"): (
        "warning",
        "converted",
        "日期格式的单元格里填的是数字“年.月”（Excel 会把它显示成 1905 年的日期），已按该月读取。"
        "请改为完整日期，如 2024-03-05",
    ),
    ("date", "ym_ambiguous"): (
        "warning",
        "converted",
        "日期写作数字“年.1”（Excel 会去掉 2024.10 末尾的 0）：无法判断是1月还是10月，暂按1月计，请核对。"
        "请改为文本日期，如 2024-10-08",
    ),
    ("date", "range"): ("info", "converted", "日期是一段时间（如 2024.3.1-3.5），按开始日期计入"),
    ("date", "two_digit_year"): ("info", "converted", "两位数年份（如 23-5-8），已按 20xx 年读取"),
    ("date", "month_only"): ("info", "converted", "日期只有年月，计入该月，日不详"),
    ("date", "year_only"): ("warning", "kept", "日期只有年份，计入全年合计，不计入月度统计"),
    ("date", "missing_token"): ("warning", "missing", "日期填写为“无/—”，按缺失处理"),
    ("date", "invalid"): (
        "error",
        "missing",
        "无法识别的日期，本条记录未计入月度统计。请改为完整日期（如 2024-07-01）后重新报送",
    ),
    ("category", "synonym"): ("info", "mapped", "类别写法不规范，已归入标准类别"),
    ("category", "unknown"): ("warning", "mapped", "未知类别，已归入“其他”，请核实"),
    ("category", "unknown_nodefault"): (
        "error",
        "missing",
        "无法识别的取值，未计入。请按填表说明中的选项填写后重新报送",
    ),
    ("account", "rollup"): ("info", "mapped", "明细科目已归入上级科目"),
    ("account", "code"): ("info", "mapped", "按《工会会计制度》科目编码识别科目"),
    ("account", "code_conflict"): ("warning", "mapped", "科目编码与科目名称不一致，按编码归类，请核实"),
    ("account", "unknown"): ("warning", "mapped", "无法识别的科目，按收支方向归入“其他收入/其他支出”，请核实"),
}

# a "y.1" cell (``ym_ambiguous``) its column's order decided (``values.settle_ym``): same code and severity
YM_BY_ORDER = (
    "日期写作数字“年.1”（Excel 会去掉 2024.10 末尾的 0）：按前后行的日期推断为{month}月"
    "（第{above}行、第{below}行），请核对。请改为文本日期，如 2024-10-08"
)
