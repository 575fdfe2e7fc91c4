"""Category labels, 是/否 and 科目 (accounts): raw label → canonical label,
with a ``note`` code when the label needed interpreting (a synonym, a sub-item
rolled up, an account code).  Pure functions, as in :mod:`.clean`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gonghui_kit.ingest.clean import is_blank
from gonghui_kit.schema import CategoryList, Schema, load_schema, norm_key

__all__ = ["ParsedCategory", "map_account", "map_category", "map_yesno"]


@dataclass(frozen=True)
class ParsedCategory:
    value: str | None
    note: str | None = None  # synonym, unknown, missing
    ok: bool = True


def map_category(value: Any, categories: CategoryList, *, blank: str | None = None) -> ParsedCategory:
    """Map a raw label to its canonical category.

    Spaces and variants are absorbed silently; a synonym is noted; an unknown
    label goes to the list's ``unknown`` label (其他) with ``ok=False``.

    >>> from gonghui_kit.schema import load_schema
    >>> cats = load_schema().categories["activity_category"]
    >>> [map_category(v, cats).value for v in ("文体 活动", " 节日活动 ", "体育活动", "文体类", "打麻将")]
    ['文体活动', '节日活动', '文体活动', '文体活动', '其他']
    >>> map_category("打麻将", cats).ok, map_category("体育活动", cats).note
    (False, 'synonym')
    """
    if is_blank(value):
        return ParsedCategory(blank, None if blank else "missing")
    label = categories.canonical(value)
    if label is not None:
        exact = norm_key(value) == norm_key(label)
        return ParsedCategory(label, None if exact else "synonym")
    return ParsedCategory(categories.unknown, "unknown", False)


def map_yesno(value: Any, *, blank: str | None = "是") -> ParsedCategory:
    """是/否 with common spellings; blank means ``blank``.

    >>> [map_yesno(v).value for v in ("是", "否", "Y", "", "√", "不立案")]
    ['是', '否', '是', '是', '是', '否']
    """
    return map_category(value, load_schema().categories["yesno"], blank=blank)


_ACCOUNT_CODE = re.compile(r"^(\d{3})(?:\d{2}){0,3}(?:$|(?=[^\d.．])(.*)$)")  # 501, 50101, 501 职工活动支出
_ACCOUNT_SPLIT = re.compile(r"[-—－–/／·:：>＞\\|]+")


def map_account(value: Any, schema: Schema | None = None) -> tuple[str | None, str | None, str | None]:
    """Map a 科目 to ``(direction, account, note)``, rolling sub-items up.

    >>> [map_account(v)[:2] for v in ("职工活动支出-文体活动", "文体活动支出", "事业支出")]
    [('支出', '职工活动支出'), ('支出', '职工活动支出'), ('支出', '对附属单位的支出')]
    >>> [map_account(v)[:2] for v in ("会费收入", "送温暖")]
    [('收入', '会费收入'), ('支出', '维权支出')]
    >>> map_account("职工活动支出-节日慰问")[:2]
    ('支出', '职工活动支出')
    >>> map_account("买菜")
    (None, None, 'unknown')

    Account codes of the 工会会计制度 (``account_codes``), alone or before the name:

    >>> [map_account(v) for v in ("401 会费收入", 501.0, "50101")]
    [('收入', '会费收入', 'code'), ('支出', '职工活动支出', 'code'), ('支出', '职工活动支出', 'code')]
    >>> [map_account(v) for v in ("501职工活动支出-会员活动支出", "401 职工活动支出")]
    [('支出', '职工活动支出', 'rollup'), ('收入', '会费收入', 'code_conflict')]
    >>> map_account("4088.47"), map_account(4088.47), map_account("5012")
    ((None, None, 'unknown'), (None, None, 'unknown'), (None, None, 'unknown'))
    """
    schema = schema or load_schema()
    if is_blank(value):
        return None, None, "missing"
    lookup = schema.account_lookup
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))  # 401 typed as a number
    k = norm_key(value)
    m = _ACCOUNT_CODE.match(k)
    if m is not None and m[1] in schema.account_codes:
        by_code = lookup[norm_key(schema.account_codes[m[1]])]
        rest = re.sub(r"^[-—－–._、.．:：]+", "", m[2] or "")
        if not rest:
            return by_code[0], by_code[1], "code"
        named = map_account(rest, schema)
        if named[1] is None or named[1] == by_code[1]:
            return by_code[0], by_code[1], "code" if named[1] is None or named[2] is None else "rollup"
        return by_code[0], by_code[1], "code_conflict"
    if k in lookup:
        d, a = lookup[k]
        return d, a, None if k == norm_key(a) else "rollup"
    parts = [p for p in _ACCOUNT_SPLIT.split(k) if p]
    for p in parts:  # the account before the sub-item decides
        if p in lookup:
            d, a = lookup[p]
            return d, a, "rollup"
    for p in parts or [k]:
        for suffix in ("支出", "收入", "费用", "费", "经费"):
            if p.endswith(suffix) and p[: -len(suffix)] in lookup:
                d, a = lookup[p[: -len(suffix)]]
                return d, a, "rollup"
    return None, None, "unknown"
