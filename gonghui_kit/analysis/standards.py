"""Spending standards as data: which rule applies where, and who breaks it.

The rules live in ``params/standards.yaml`` (see the comments there).  Each
rule names a *kind* of check, implemented once here:

``cap_per_member_year``
    Σ amount per person per year for the 事由 in ``reasons`` ≤ ``cap``.
    ``scope: person`` (default) sums per 慰问对象 (a per-load pseudonym — the
    toolkit never sees the name); a record without 慰问对象 is checked on
    its own.  ``scope: unit`` checks the unit average: Σ amount / 会员人数.
``max_count_per_person_year``
    records per person per year for ``reasons`` ≤ ``max_count`` (生日 once).
``cap_per_event``
    amount of one record per person ≤ ``cap``.
``forbidden_form``
    a record for ``reasons`` with 形式 in ``forms`` is a breach (cash, shopping
    cards and vouchers are all 现金 after loading).
``min_indicator`` / ``max_indicator``
    an indicator total of the unit ≥ ``min`` / ≤ ``max`` (入会率 ≥ 90%).

A care record with 人次 n > 1 and amount A is taken as n people receiving
A / n each (one record for five people is not one person receiving five
times the amount): amounts are compared per person.

Selection (``Standards.applicable``): rules of the unit's province (from the
registry; else ``default_province``) and national rules (``province: 全国``
or ``'*'``), valid in the year (``valid_from``/``valid_to`` inclusive).  Rules
about the same thing (same ``subject``, by default kind + scope + 事由 or
indicator) compete: the provincial one beats the national one, then the one
in force most recently.  ``unit_overrides`` then apply a unit's own rules,
which may only be stricter: a looser override is ignored with a warning.

>>> std = Standards.from_dict({"default_province": "示例省", "rules": [
...     {"id": "a", "title": "节日慰问标准", "province": "全国", "kind": "cap_per_member_year", "reasons": ["节日慰问"], "cap": 2000, "source": "《甲》"},
...     {"id": "b", "title": "节日慰问标准", "province": "示例省", "valid_to": 2024, "kind": "cap_per_member_year", "reasons": ["节日慰问"], "cap": 1500, "source": "《乙》"}]})
>>> [(r.id, r.cap) for r in std.applicable("某单位", 2023)], [(r.id, r.cap) for r in std.applicable("某单位", 2025)]
([('b', 1500.0)], [('a', 2000.0)])
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import yaml

from gonghui_kit.analysis.indicators import BY_KEY
from gonghui_kit.ingest.findings import Finding
from gonghui_kit.ingest.findings import row_ranges as _ranges
from gonghui_kit.present.fmt import fmt_num, fmt_pct
from gonghui_kit.schema import norm_key

__all__ = [
    "Rule",
    "Standards",
    "StandardsWarning",
    "KINDS",
    "NATIONAL",
    "load_standards",
    "check_standards",
    "breaches_frame",
    "breach_findings",
    "BREACH_COLUMNS",
    "describe_limit",
]

NATIONAL = ("全国", "*")
KINDS = (
    "cap_per_member_year",
    "max_count_per_person_year",
    "cap_per_event",
    "forbidden_form",
    "min_indicator",
    "max_indicator",
)
_REQUIRED = {
    "cap_per_member_year": ("reasons", "cap"),
    "max_count_per_person_year": ("reasons", "max_count"),
    "cap_per_event": ("reasons", "cap"),
    "forbidden_form": ("reasons", "forms"),
    "min_indicator": ("indicator", "min"),
    "max_indicator": ("indicator", "max"),
}
EXAMPLE_NOTE = "此标准为示例值，请以本省总工会正式文件为准。"
BREACH_COLUMNS = [
    "unit",
    "year",
    "rule",
    "title",
    "actual",
    "limit",
    "rows",
    "source",
    "kind",
    "scope",
    "subject",
    "indicator",
    "reasons",
    "example",
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "table",
    "message",
]


# the columns every check returns, one row per breach (the rule's own columns
# of BREACH_COLUMNS are added from the rule afterwards)
_CHECK_COLUMNS = ["unit", "year", "actual", "rows", "file", "sheet", "row", "column", "value", "table", "message"]


class StandardsWarning(UserWarning):
    """A rule file problem that does not stop the run (e.g. a looser unit override)."""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    kind: str
    province: str = "全国"
    valid_from: int | None = None
    valid_to: int | None = None
    source: str = ""
    reasons: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    cap: float | None = None
    max_count: int | None = None
    indicator: str | None = None
    min: float | None = None
    max: float | None = None
    scope: str = "person"
    subject: str = ""
    example: bool = False
    unit: str | None = None  # set on a unit's own (override) rule

    @property
    def national(self) -> bool:
        return self.province in NATIONAL

    def in_force(self, year: int) -> bool:
        return (self.valid_from is None or year >= self.valid_from) and (self.valid_to is None or year <= self.valid_to)

    @property
    def limit(self) -> float:
        return float(
            {"max_count_per_person_year": self.max_count, "min_indicator": self.min, "max_indicator": self.max}.get(
                self.kind, self.cap
            )
            or np.nan
        )

    @property
    def cited(self) -> str:
        """How a message ends: ``（规则名称，依据《…》）。`` plus the example note.

        >>> Rule("x", "节日慰问年度标准", "cap_per_event", source="《甲》", example=True).cited
        '（节日慰问年度标准，依据《甲》）。此标准为示例值，请以本省总工会正式文件为准。'
        """
        src = f"，依据{self.source}" if self.source else ""
        return f"（{self.title}{src}）。" + (EXAMPLE_NOTE if self.example else "")


def _rule_from_dict(d: Mapping[str, Any], where: str) -> Rule:
    if not isinstance(d, Mapping):
        raise ValueError(f"{where}：每条规则应为键值对")
    kind = d.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}：未知的检查类型 kind={kind!r}，可选：{'、'.join(KINDS)}")
    rid = d.get("id")
    if not rid:
        raise ValueError(f"{where}：缺少 id")
    for k in _REQUIRED[kind]:
        if d.get(k) in (None, "", []):
            raise ValueError(f"{where}（{rid}）：{kind} 类规则必须填写 {k}")
    if kind.endswith("_indicator") and d["indicator"] not in BY_KEY:
        raise ValueError(f"{where}（{rid}）：未知指标 {d['indicator']!r}")
    scope = str(d.get("scope") or "person")
    if scope not in ("person", "unit"):
        raise ValueError(f"{where}（{rid}）：scope 只能是 person 或 unit")

    def num(k: str) -> float | None:
        v = d.get(k)
        return None if v is None else float(v)

    def year(k: str) -> int | None:
        v = d.get(k)
        return None if v in (None, "") else int(v)

    reasons = tuple(str(x) for x in (d.get("reasons") or ()))
    r = Rule(
        id=str(rid),
        title=str(d.get("title") or rid),
        kind=kind,
        province=str(d.get("province") or "全国"),
        valid_from=year("valid_from"),
        valid_to=year("valid_to"),
        source=str(d.get("source") or ""),
        reasons=reasons,
        forms=tuple(str(x) for x in (d.get("forms") or ())),
        cap=num("cap"),
        max_count=None if d.get("max_count") is None else int(d["max_count"]),
        indicator=d.get("indicator"),
        min=num("min"),
        max=num("max"),
        scope=scope,
        subject=str(d.get("subject") or ""),
        example=bool(d.get("example", False)),
    )
    if not r.subject:
        what = r.indicator if kind.endswith("_indicator") else "+".join(sorted(reasons))
        r = dataclasses.replace(r, subject=f"{kind}|{scope if kind == 'cap_per_member_year' else ''}|{what}")
    return r


def _stricter(new: Rule, old: Rule) -> str | None:
    """None when ``new`` is at least as strict as ``old``, else why not."""
    if new.kind != old.kind or new.scope != old.scope:
        return "检查类型不同"
    if new.kind in ("cap_per_member_year", "cap_per_event") and (new.cap or 0) > (old.cap or 0):
        return f"上限{fmt_num(new.cap, 2)}高于原标准{fmt_num(old.cap, 2)}"
    if new.kind == "max_count_per_person_year" and (new.max_count or 0) > (old.max_count or 0):
        return f"次数{new.max_count}多于原标准{old.max_count}"
    if new.kind == "min_indicator" and (new.min or 0) < (old.min or 0):
        return f"下限{new.min:g}低于原标准{old.min:g}"
    if new.kind == "max_indicator" and (new.max or 0) > (old.max or 0):
        return f"上限{new.max:g}高于原标准{old.max:g}"
    if not set(old.reasons) <= set(new.reasons):
        return "减少了适用事由"
    if not set(old.forms) <= set(new.forms):
        return "减少了禁止的形式"
    return None


@dataclass
class Standards:
    rules: list[Rule]
    default_province: str | None = None
    overrides: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # norm_key(unit) -> entries
    override_names: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {}
        for r in self.rules:
            if r.id in self.by_id:
                raise ValueError(f"标准文件中规则 id 重复：{r.id}")
            self.by_id[r.id] = r

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> "Standards":
        raw = raw or {}
        rules = [_rule_from_dict(d, f"第{i + 1}条规则") for i, d in enumerate(raw.get("rules") or [])]
        overrides: dict[str, list[dict[str, Any]]] = {}
        names: dict[str, str] = {}
        for unit, entries in (raw.get("unit_overrides") or {}).items():
            if isinstance(entries, Mapping):
                entries = [entries]
            overrides[norm_key(unit)] = [dict(e) for e in entries or []]
            names[norm_key(unit)] = str(unit)
        std = cls(rules, raw.get("default_province"), overrides, names)
        for key, entries in overrides.items():  # fail early on a broken override
            for e in entries:
                if "rule" in e and e["rule"] not in std.by_id:
                    raise ValueError(f"unit_overrides（{names[key]}）引用了不存在的规则 {e['rule']!r}")
                if "rule" not in e:
                    _rule_from_dict(e, f"unit_overrides（{names[key]}）")
        return std

    def _warn(self, msg: str) -> None:
        if msg not in self.warnings:
            self.warnings.append(msg)
            warnings.warn(msg, StandardsWarning, stacklevel=3)

    def _selected(self, year: int, province: str | None) -> dict[str, Rule]:
        prov = province or self.default_province
        best: dict[str, Rule] = {}
        for r in self.rules:
            if not r.in_force(year) or not (r.national or r.province == prov):
                continue
            cur = best.get(r.subject)
            rank = (0 if r.national else 1, r.valid_from or 0)
            if cur is None or rank > (0 if cur.national else 1, cur.valid_from or 0):
                best[r.subject] = r
        return best

    def applicable(self, unit: str, year: int, province: str | None = None) -> list[Rule]:
        """Rules that apply to ``unit`` in ``year`` (province: the unit's, else
        ``default_province``), after the unit's own stricter overrides."""
        best = self._selected(int(year), province)
        for e in self.overrides.get(norm_key(unit), []):
            vf, vt = e.get("valid_from"), e.get("valid_to")
            if (vf is not None and year < int(vf)) or (vt is not None and year > int(vt)):
                continue
            name = self.override_names.get(norm_key(unit), unit)
            if "rule" in e:
                subject = self.by_id[e["rule"]].subject
                base = best.get(subject)
                if base is None:
                    continue
                params = {k: v for k, v in e.items() if k not in ("rule", "valid_from", "valid_to")}
                merged = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
                merged.update(params)
                merged["reasons"] = list(merged["reasons"])
                merged["forms"] = list(merged["forms"])
                merged["province"] = base.province
                merged["subject"] = base.subject
                merged.setdefault("example", False)
                if "source" not in params:
                    merged["source"] = base.source
                new = _rule_from_dict(merged, f"unit_overrides（{name}）")
            else:
                new = _rule_from_dict(e, f"unit_overrides（{name}）")
                base = best.get(new.subject)
            new = dataclasses.replace(new, unit=name)
            if base is not None:
                why = _stricter(new, base)
                if why:
                    self._warn(
                        f"{name}的自定标准“{new.title}”比适用标准（{base.id}）宽松（{why}），已忽略，仍按{base.id}执行"
                    )
                    continue
            best[new.subject] = new
        return sorted(best.values(), key=lambda r: r.id)


def load_standards(path: str | Path) -> Standards:
    """Read a standards YAML file (which one: :func:`gonghui_kit.resources.standards`)."""
    path = Path(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as e:
        raise ValueError(f"{path} 不是有效的 YAML：{e}") from e
    return Standards.from_dict(raw)


# --------------------------------------------------------------------------
# checking


def _money(v: float) -> str:
    return fmt_num(v, 2) + "元"


def _rows_text(rows: Iterable[int], limit: int = 12) -> str:
    rows = [int(r) for r in rows if pd.notna(r)]
    if not rows:
        return ""
    shown = _ranges(sorted(rows)[:limit]) + ("等" if len(rows) > limit else "")
    return f"第{shown}行"


def _assignments(uy: pd.DataFrame, standards: Standards, registry) -> pd.DataFrame:
    """(unit, year, rule) for every unit-year and applicable rule.  The rule
    lookup runs once per province and year (plus once per unit with overrides)."""
    cache: dict[tuple, list[Rule]] = {}
    out_u, out_y, out_r = [], [], []
    for unit, year in uy.itertuples(index=False):
        prov = registry.province(unit) if registry is not None else None
        key = (prov, int(year), norm_key(unit) if norm_key(unit) in standards.overrides else None)
        if key not in cache:
            cache[key] = standards.applicable(unit, int(year), prov)
        for r in cache[key]:
            out_u.append(unit)
            out_y.append(int(year))
            out_r.append(r)
    return pd.DataFrame(
        {"unit": out_u, "year": pd.Series(out_y, dtype="int64"), "rule": pd.Series(out_r, dtype=object)}
    )


def _care(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    c = tables.get("care")
    if c is None or c.empty:
        cols = [
            "unit",
            "year",
            "source_file",
            "sheet",
            "excel_row",
            "recipient",
            "reason",
            "visits",
            "amount",
            "form",
            "per_head",
        ]
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype="float64"
                    if c in ("visits", "amount", "per_head")
                    else "int64"
                    if c in ("year", "excel_row")
                    else object
                )
                for c in cols
            }
        )
    c = c.copy()
    v = c["visits"].astype("float64")
    c["per_head"] = c["amount"].astype("float64") / v.where(v > 0, 1.0).fillna(1.0)
    return c


def _select(care: pd.DataFrame, uy: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    d = care.merge(uy[["unit", "year"]], on=["unit", "year"], how="inner")
    return d[d["reason"].isin(list(rule.reasons))]


def _reasons(rule: Rule) -> str:
    return "、".join(rule.reasons)


def _record_rows(
    d: pd.DataFrame, rule: Rule, actual: pd.Series, column: str, value: pd.Series, message: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": d["unit"].to_numpy(),
            "year": d["year"].to_numpy(),
            "actual": actual.to_numpy(dtype="float64"),
            "rows": [(int(r),) for r in d["excel_row"]],
            "file": d["source_file"].to_numpy(),
            "sheet": d["sheet"].to_numpy(),
            "row": d["excel_row"].to_numpy(),
            "column": column,
            "value": value.to_numpy(),
            "table": "care",
            "message": message.to_numpy(),
        }
    )


def _check_cap_per_event(
    care: pd.DataFrame, uy: pd.DataFrame, rule: Rule, ind: pd.DataFrame, ctx: Mapping[str, Any]
) -> pd.DataFrame:
    d = _select(care, uy, rule)
    d = d[d["per_head"] > rule.cap]
    per = d["per_head"]
    msg = []
    for r, reason, p, a, v in zip(d["excel_row"], d["reason"], per, d["amount"], d["visits"], strict=False):
        amount = f"{fmt_num(v, 0)}人次共{_money(a)}，每人次{_money(p)}" if pd.notna(v) and v > 1 else _money(p)
        msg.append(f"第{r}行{reason}慰问{amount}，超过每人次{_money(rule.cap)}的标准{rule.cited}")
    return _record_rows(d, rule, per, "金额", d["amount"].map(lambda v: fmt_num(v, 2)), pd.Series(msg, dtype=object))


def _check_forbidden_form(
    care: pd.DataFrame, uy: pd.DataFrame, rule: Rule, ind: pd.DataFrame, ctx: Mapping[str, Any]
) -> pd.DataFrame:
    d = _select(care, uy, rule)
    d = d[d["form"].isin(list(rule.forms))]
    form_text = {"现金": "现金（含购物卡、代金券等）"}
    msg = [
        f"第{r}行{reason}慰问以{form_text.get(f, f)}形式发放，不符合规定{rule.cited}"
        for r, reason, f in zip(d["excel_row"], d["reason"], d["form"], strict=False)
    ]
    return _record_rows(d, rule, d["amount"].astype("float64"), "形式", d["form"], pd.Series(msg, dtype=object))


def _per_person(d: pd.DataFrame, value: str, how: str) -> pd.DataFrame:
    g = d.groupby(["unit", "year", "recipient"], sort=False)
    return g.agg(
        actual=(value, how),
        rows=("excel_row", lambda s: tuple(sorted(int(x) for x in s))),
        file=("source_file", "first"),
        sheet=("sheet", "first"),
        row=("excel_row", "min"),
    ).reset_index()


def _check_cap_per_member_year(
    care: pd.DataFrame, uy: pd.DataFrame, rule: Rule, ind: pd.DataFrame, ctx: Mapping[str, Any]
) -> pd.DataFrame:
    d = _select(care, uy, rule)
    reasons = _reasons(rule)
    cap = _money(rule.cap)
    if rule.scope == "unit":
        members = ind[(ind["indicator"] == "members_total") & (ind["category"] == "")].set_index(["unit", "year"])[
            "value"
        ]
        g = (
            d.groupby(["unit", "year"], sort=False)
            .agg(
                total=("amount", lambda s: s.sum(min_count=1)),
                rows=("excel_row", lambda s: tuple(sorted(int(x) for x in s))),
                file=("source_file", "first"),
                sheet=("sheet", "first"),
            )
            .reset_index()
        )
        m = pd.Series(list(zip(g["unit"], g["year"], strict=False)), dtype=object).map(members.to_dict()).astype("float64")
        g["members"] = m.to_numpy()
        g["actual"] = g["total"] / g["members"].where(g["members"] > 0)
        g = g[g["actual"] > rule.cap]
        msg = [
            f"全年{reasons}慰问合计{_money(t)}（{_rows_text(rows)}），按会员{fmt_num(n, 0)}人计人均{_money(a)}，超过人均每年{cap}的标准{rule.cited}"
            for t, n, a, rows in zip(g["total"], g["members"], g["actual"], g["rows"], strict=False)
        ]
        return g.assign(
            row=None, column="金额", value=g["actual"].map(lambda v: fmt_num(v, 2)), table="care", message=msg
        )[_CHECK_COLUMNS]
    named = d[d["recipient"].notna()]
    per = _per_person(named, "per_head", "sum")
    per = per[per["actual"] > rule.cap]
    msg = [
        f"同一会员全年{reasons}慰问合计{_money(a)}（{_rows_text(rows)}），超过每人每年{cap}的标准{rule.cited}"
        for a, rows in zip(per["actual"], per["rows"], strict=False)
    ]
    a = per.assign(column="金额", value=per["actual"].map(lambda v: fmt_num(v, 2)), table="care", message=msg)
    anon = d[d["recipient"].isna() & (d["per_head"] > rule.cap)]
    msg2 = pd.Series(
        [
            f"第{r}行未填慰问对象，该条{reason}慰问每人{_money(p)}，已超过每人每年{cap}的标准{rule.cited}"
            for r, reason, p in zip(anon["excel_row"], anon["reason"], anon["per_head"], strict=False)
        ],
        dtype=object,
    )
    b = _record_rows(anon, rule, anon["per_head"], "金额", anon["amount"].map(lambda v: fmt_num(v, 2)), msg2)
    return pd.concat([a[_CHECK_COLUMNS], b[_CHECK_COLUMNS]], ignore_index=True)


def _check_max_count(
    care: pd.DataFrame, uy: pd.DataFrame, rule: Rule, ind: pd.DataFrame, ctx: Mapping[str, Any]
) -> pd.DataFrame:
    d = _select(care, uy, rule)
    d = d[d["recipient"].notna()]
    per = _per_person(d, "excel_row", "size")
    per = per[per["actual"] > rule.max_count]
    msg = [
        f"同一会员全年{_reasons(rule)}慰问{int(a)}次（{_rows_text(rows)}），超过每人每年{rule.max_count}次的规定{rule.cited}"
        for a, rows in zip(per["actual"], per["rows"], strict=False)
    ]
    return per.assign(
        actual=per["actual"].astype("float64"),
        column="事由",
        value=per["actual"].map(lambda v: f"{int(v)}次"),
        table="care",
        message=msg,
    )


def describe_limit(
    kind: str, limit: float, *, indicator: str | None = None, scope: str = "person", reasons: str = ""
) -> str:
    """The limit of a rule in words, for reports and the narrative.

    >>> describe_limit("cap_per_member_year", 1500, reasons="节日慰问")
    '节日慰问每人每年不超过1,500元'
    >>> describe_limit("cap_per_event", 1000, reasons="婚嫁、生育")
    '婚嫁、生育慰问每人次不超过1,000元'
    >>> describe_limit("min_indicator", 0.9, indicator="membership_rate")
    '入会率不低于90%'
    >>> describe_limit("forbidden_form", float("nan"), reasons="节日慰问、生日")
    '节日慰问、生日慰问不得发放现金、购物卡和代金券'
    """
    what = reasons if not reasons or reasons.endswith("慰问") else reasons + "慰问"
    if kind == "cap_per_member_year":
        return f"{what}{'人均' if scope == 'unit' else '每人'}每年不超过{_money(limit)}"
    if kind == "max_count_per_person_year":
        return f"{what}每人每年不超过{int(limit)}次"
    if kind == "cap_per_event":
        return f"{what}每人次不超过{_money(limit)}"
    if kind == "forbidden_form":
        return f"{what}不得发放现金、购物卡和代金券"
    if kind in ("min_indicator", "max_indicator") and indicator:
        word = "不低于" if kind == "min_indicator" else "不高于"
        return f"{BY_KEY[indicator].label}{word}{_fmt_limit(indicator, limit)}"
    return ""


def _fmt_limit(key: str, v: float) -> str:
    return fmt_pct(v, strip=True) if BY_KEY[key].kind == "rate" else fmt_num(v, 2)


def _check_indicator(
    care: pd.DataFrame, uy: pd.DataFrame, rule: Rule, ind: pd.DataFrame, ctx: Mapping[str, Any]
) -> pd.DataFrame:
    key = rule.indicator
    files = ctx["files"]
    d = ind[(ind["indicator"] == key) & (ind["category"] == "")].merge(
        uy[["unit", "year"]], on=["unit", "year"], how="inner"
    )
    low = rule.kind == "min_indicator"
    d = d[(d["value"] < rule.min) if low else (d["value"] > rule.max)]
    label = BY_KEY[key].label
    word = "低于" if low else "高于"
    lim = _fmt_limit(key, rule.limit)
    msg = [f"{label}为{_fmt_limit(key, v)}，{word}{lim}的要求{rule.cited}" for v in d["value"]]
    return pd.DataFrame(
        {
            "unit": d["unit"].to_numpy(),
            "year": d["year"].to_numpy(),
            "actual": d["value"].to_numpy(dtype="float64"),
            "rows": [()] * len(d),
            "file": [files.get((u, int(y)), "") for u, y in zip(d["unit"], d["year"], strict=False)],
            "sheet": "",
            "row": None,
            "column": label,
            "value": [_fmt_limit(key, v) for v in d["value"]],
            "table": None,
            "message": msg,
        }
    )


_CHECKERS = {
    "cap_per_event": _check_cap_per_event,
    "forbidden_form": _check_forbidden_form,
    "cap_per_member_year": _check_cap_per_member_year,
    "max_count_per_person_year": _check_max_count,
    "min_indicator": _check_indicator,
    "max_indicator": _check_indicator,
}


def breaches_frame(tables, ind: pd.DataFrame, standards: Standards, registry=None) -> pd.DataFrame:
    """Every breach of an applicable standard, one row each.

    Columns (:data:`BREACH_COLUMNS`): ``unit, year, rule, title, actual,
    limit, rows, source`` for reports, then the rule and the finding
    (``file, sheet, row, column, value, table, message``).
    (``kind, scope, subject, indicator, reasons, example`` describe the rule;
    :func:`describe_limit` puts the limit in words.)
    ``rows`` is the tuple of Excel rows of the records concerned (empty for
    indicator rules).  No personal data: people are never named, not even by
    their pseudonym.
    """
    tables = getattr(tables, "tables", tables) or {}
    care = _care(tables)
    parts = [care[["unit", "year"]]] if len(care) else []
    if ind is not None and len(ind):
        parts.append(ind[["unit", "year"]])
    if not parts:
        return pd.DataFrame(columns=BREACH_COLUMNS)
    uy = pd.concat(parts, ignore_index=True).drop_duplicates().astype({"year": "int64"})
    assign = _assignments(uy, standards, registry)
    if assign.empty:
        return pd.DataFrame(columns=BREACH_COLUMNS)
    ind = ind if ind is not None else pd.DataFrame(columns=["unit", "year", "indicator", "category", "value"])
    out = []
    # one pass per distinct rule (not per unit): the rule's unit-years at once
    info = tables.get("info")
    files = (
        {}
        if info is None or info.empty
        else {(u, int(y)): f for u, y, f in zip(info["unit"], info["year"], info["source_file"], strict=False) if pd.notna(f)}
    )
    ctx = {"files": files}
    assign["rid"] = assign["rule"].map(lambda r: (r.id, r.unit))
    for _, grp in assign.groupby("rid", sort=True):
        rule: Rule = grp["rule"].iloc[0]
        b = _CHECKERS[rule.kind](care, grp, rule, ind, ctx)
        if b.empty:
            continue
        b = b.assign(
            rule=rule.id,
            title=rule.title,
            limit=rule.limit,
            source=rule.source,
            kind=rule.kind,
            scope=rule.scope,
            subject=rule.subject,
            indicator=rule.indicator,
            reasons="、".join(rule.reasons),
            example=rule.example,
        )
        out.append(b)
    if not out:
        return pd.DataFrame(columns=BREACH_COLUMNS)
    res = pd.concat(out, ignore_index=True)[BREACH_COLUMNS]
    res["year"] = res["year"].astype("int64")
    res["row"] = pd.array([None if pd.isna(r) else int(r) for r in res["row"]], dtype="Int64")
    return res.sort_values(["unit", "year", "rule", "row"], kind="stable", na_position="first").reset_index(drop=True)


def check_standards(tables, ind: pd.DataFrame, standards: Standards, registry=None) -> list[Finding]:
    """One :class:`Finding` per breach (code ``standard:<rule id>``, severity
    warning, action 需核实), pointing at the record (or, for a sum over
    several records, the first one, the others listed in the message)."""
    return breach_findings(breaches_frame(tables, ind, standards, registry))


def breach_findings(b: pd.DataFrame) -> list[Finding]:
    """The findings of an existing :func:`breaches_frame` (no second pass over the data)."""
    return [
        Finding(
            file=str(r.file or ""),
            sheet=str(r.sheet or ""),
            row=None if pd.isna(r.row) else int(r.row),
            column=str(r.column or ""),
            value=str(r.value or ""),
            action="checked",
            severity="warning",
            message=str(r.message),
            code=f"standard:{r.rule}",
            unit=r.unit,
            year=int(r.year),
            table=r.table if isinstance(r.table, str) else None,
        )
        for r in b.itertuples(index=False)
    ]
