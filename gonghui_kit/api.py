"""The analysis API: load ledgers once, then ask questions in a notebook.

::

    import gonghui_kit as gh
    d = gh.load("data/2023", "data/2024")        # files or folders; roster=, year=, standards= optional
    d                                            # a card: units × years, findings by severity
    d.indicators                                 # unit, year, indicator, category, value (= gonghui indicators)
    d.findings                                   # the fields of gonghui check --format json
    d.wide(year=2024, indicators=["activities", "care_amount"])
    d.compare(units=["机修分工会", "炼钢厂分工会"], year=2024)
    d.trend("机修分工会", indicators=["activities"])
    d.highlights("机修分工会", 2024); d.summary("机修分工会", 2024)

Every table is a :class:`gonghui_kit.present.display.Table`: a pandas
``DataFrame`` holding the numbers, shown with Chinese labels and the
toolkit's number formats.  The report notebooks use the same object
(``gh.load(data, year=year, roster=params, bundle=bundle)`` then
``d.unit_report(unit)``), so a number in a report is the number here.

A dataset can also be built from a tidy indicator table alone (no files):

>>> ind = pd.DataFrame({"unit": ["甲", "甲", "乙", "乙"], "year": [2023, 2024, 2023, 2024],
...     "indicator": "care_amount", "category": "", "value": [9800.0, 11900.0, 5000.0, 4000.0]})
>>> d = Dataset(ind)
>>> d.units, d.years
(['乙', '甲'], [2023, 2024])
>>> d.wide(year=2024).to_dict()
{'慰问金额': {'乙': 4000.0, '甲': 11900.0}}
>>> d.wide(year=2024).display_frame()["慰问金额"].tolist()
['4,000元', '1.19万元']
>>> d.trend("甲").loc["慰问金额"].tolist()
[9800.0, 11900.0]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from gonghui_kit.analysis.indicators import BY_KEY, INDICATORS
from gonghui_kit.ingest.findings import ACTIONS, FINDING_FIELDS, findings_frame
from gonghui_kit.present.display import Table, Text, category_text, dataset_card

__all__ = ["Dataset", "load", "resolve_roster", "KEY_INDICATORS", "STATS"]

#: The indicators shown when none are asked for (those on the reports' cards and compare pages).
KEY_INDICATORS: tuple[str, ...] = tuple(i.key for i in INDICATORS if i.key_indicator)
#: The columns of :meth:`Dataset.compare` under each unit.
STATS = ("数值", "同类排名", "同类中位数")

_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
_IND_SPEC = {
    "columns": {"unit": "单位", "year": "年度", "indicator": "指标", "category": "分项", "value": "数值"},
    "labels": {"indicator": {k: i.label for k, i in BY_KEY.items()}, "category": category_text},
    "row_key": "indicator",
    "value": "value",
    "hide_index": True,
}
_FINDINGS_SPEC = {
    "columns": {
        "severity": "级别",
        "file": "文件",
        "sheet": "工作表",
        "row": "行",
        "column": "列",
        "value": "原值",
        "action": "处理",
        "message": "说明",
    },
    "labels": {"severity": _SEVERITY, "action": ACTIONS, "row": lambda v: "" if pd.isna(v) else str(int(v))},
    "hide_index": True,
}
_HL_SPEC = {
    "columns": {"unit": "单位", "year": "年度", "kind": "类型", "title": "标题", "text": "说明"},
    "labels": {"kind": {"highlight": "亮点", "shortcoming": "短板", "check": "需核实"}, "year": str},
    "hide_index": True,
}
_QUALITY_SPEC = {
    "columns": {
        "file": "文件",
        "unit": "单位",
        "year": "年度",
        "status": "状态",
        "rows": "读取行数",
        "records": "计入记录",
        "subtotals": "合计/小计行",
        "duplicates": "重复行",
        "other_year": "非本年度",
        "fixed": "修正",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
    },
    "labels": {"year": lambda v: "" if pd.isna(v) else str(int(v)), "status": {"ok": "正常"}},
    "hide_index": True,
}


def resolve_roster(roster: Any = None):
    """The unit roster (:class:`~gonghui_kit.analysis.units.UnitRegistry`) for ``roster``.

    ``None``: as every command finds it (:func:`gonghui_kit.resources.roster`:
    ``params/units.yaml`` in the working folder, else the shipped one);
    ``False``: no roster; a path to a ``units.yaml``; a dict as in that file;
    or a ``UnitRegistry``.

    >>> resolve_roster(False) is None
    True
    >>> roster = resolve_roster({"units": [{"name": "动力分厂分工会", "former": ["动力车间分工会"]}]})
    >>> roster.canonical("动力车间分工会")
    '动力分厂分工会'
    """
    from gonghui_kit import resources
    from gonghui_kit.analysis.units import UnitRegistry

    if roster is False:
        return None
    if isinstance(roster, UnitRegistry):
        return roster
    if isinstance(roster, dict):
        return UnitRegistry.from_dict(roster)
    return resources.roster(roster)[0]


def _standards(standards: Any):
    if standards is None or standards is False:
        return None
    from gonghui_kit import resources

    if standards is True:
        return resources.standards()[0]
    return resources.standards(standards)[0] if isinstance(standards, (str, Path)) else standards


def load(
    *paths: str | Path,
    roster: Any = None,
    year: int | None = None,
    standards: Any = None,
    bundle: str | Path | None = None,
    jobs: int = 1,
) -> "Dataset":
    """Read ledgers (files or folders, any number of years) into a :class:`Dataset`.

    The same loading as ``gonghui check`` and ``gonghui indicators`` given the
    same paths: ``d.indicators`` is the table ``gonghui indicators`` writes,
    ``d.findings`` what ``gonghui check --format json`` lists.

    ``roster``: see :func:`resolve_roster`.  ``year``: only workbooks of that
    年度 are counted (others become error findings).  ``standards``: spending
    standards (a ``standards.yaml`` path, or ``True`` for the default file)
    for ``d.breaches``, the highlights and the draft.  ``jobs`` > 1 reads
    files in parallel processes.

    ``bundle``: the report notebooks' way in.  With ``bundle`` given, the
    dataset is the year bundle of ``gonghui build`` (a file it wrote), or —
    when ``bundle`` is ``""`` or does not exist — a bundle prepared now from
    the ledger root ``paths[0]`` (one folder per year, every year up to
    ``year``; sample data when that root does not exist) with ``roster`` as
    the path of the roster and the default standards.  ``year`` is required.

    >>> load()
    Traceback (most recent call last):
    ...
    ValueError: 请给出台账文件或文件夹，例如 gh.load("data/2024")
    """
    if bundle is not None:
        if year is None:
            raise ValueError("打开年度数据包需要指定年度：gh.load(data, year=2024, bundle=...)")
        from gonghui_kit.present.report import open_bundle

        data = str(paths[0]) if paths else ""
        params = "" if roster is None or roster is False else str(roster)
        return Dataset.from_bundle(open_bundle(year=int(year), data=data, bundle=str(bundle), params=params))
    if not paths:
        raise ValueError('请给出台账文件或文件夹，例如 gh.load("data/2024")')
    for p in paths:
        if not Path(p).exists() and not Path(p).is_symlink():
            raise FileNotFoundError(f"找不到文件或文件夹：{p}")
    from gonghui_kit.ingest.load import load_ledgers

    registry = resolve_roster(roster)
    ledger = load_ledgers([str(p) for p in paths], year=year, registry=registry, jobs=jobs)
    return Dataset.from_ledger(ledger, registry=registry, standards=_standards(standards))


class Dataset:
    """Indicators, findings and the roster of a set of ledgers (see module doc).

    Build it with :func:`load`, :meth:`from_ledger`, :meth:`from_bundle`, or
    directly from a tidy indicator table (``Dataset(ind)``).
    """

    def __init__(
        self,
        indicators: pd.DataFrame,
        findings: pd.DataFrame | None = None,
        *,
        registry=None,
        ledger=None,
        breaches: pd.DataFrame | None = None,
        bundle=None,
        highlights: pd.DataFrame | None = None,
        finding_list: list | None = None,
    ) -> None:
        self.indicators = Table(indicators, spec=_IND_SPEC)
        f = findings if findings is not None else findings_frame([])
        self.findings = Table(f, spec=_FINDINGS_SPEC)
        self.registry = registry
        self.ledger = ledger
        self.bundle = bundle
        self.breaches = breaches if breaches is not None else pd.DataFrame()
        self._highlights = highlights
        self._finding_list = finding_list

    # -- construction ------------------------------------------------------------
    @classmethod
    def from_ledger(cls, ledger, *, registry=None, standards=None) -> "Dataset":
        """From a loaded :class:`~gonghui_kit.ingest.load.Ledger`: indicators
        and findings computed as the CLI computes them."""
        from gonghui_kit.analysis.indicators import compute_indicators
        from gonghui_kit.ingest.check import check_ledger

        found = check_ledger(ledger)
        ind = compute_indicators(ledger)
        breaches = None
        if standards is not None:
            from gonghui_kit.analysis.standards import breaches_frame

            breaches = breaches_frame(ledger, ind, standards, registry)
        return cls(ind, findings_frame(found), registry=registry, ledger=ledger, breaches=breaches, finding_list=found)

    @classmethod
    def from_bundle(cls, bundle) -> "Dataset":
        """From a year bundle (:mod:`gonghui_kit.analysis.bundle`): nothing is
        recomputed.  Its findings are the year's (checks and standards)."""
        return cls(
            bundle.ind,
            bundle.findings,
            registry=bundle.extra.get("registry"),
            breaches=bundle.breaches,
            bundle=bundle,
            highlights=bundle.highlights,
        )

    # -- what is in it --------------------------------------------------------
    @property
    def units(self) -> list[str]:
        """Canonical unit names, sorted."""
        return sorted(pd.unique(self.indicators["unit"]).tolist())

    @property
    def years(self) -> list[int]:
        """Years with indicators, ascending."""
        return sorted(int(y) for y in pd.unique(self.indicators["year"]))

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The cleaned record tables (``activities``, ``care``, …) when loaded from files."""
        if self.ledger is None:
            raise ValueError("这个数据集没有逐条记录（由年度数据包或指标表构建）；请用 gh.load(文件或文件夹) 读取台账")
        return self.ledger.tables

    @property
    def files(self) -> pd.DataFrame:
        """Every file read: file, sha256, unit, year, status."""
        if self.ledger is not None:
            return self.ledger.files
        return self.bundle.files if self.bundle is not None else pd.DataFrame()

    def findings_for(
        self, file: str | None = None, *, unit: str | None = None, severity: str | Iterable[str] | None = None
    ) -> Table:
        """Findings of the files whose name contains ``file``, of one unit,
        and/or of some severities (``"error"``, ``"warning"``, ``"info"``).

        >>> f = pd.DataFrame({"file": ["a.xlsx", "b.xlsx"], "severity": ["warning", "info"], "unit": ["甲", "乙"]})
        >>> empty = pd.DataFrame(columns=["unit", "year", "indicator", "category", "value"])
        >>> Dataset(empty, f).findings_for("a")["file"].tolist(), len(Dataset(empty, f).findings_for(severity="info"))
        (['a.xlsx'], 1)
        """
        f = self.findings.plain()
        if file is not None:
            f = f[f["file"].astype(str).str.contains(file, regex=False)]
        if unit is not None:
            f = f[f["unit"] == self.canonical(unit)]
        if severity is not None:
            f = f[f["severity"].isin([severity] if isinstance(severity, str) else list(severity))]
        return Table(f, spec=_FINDINGS_SPEC)

    def quality(self) -> Table:
        """Per file: rows read, records kept, what was excluded or fixed, findings by severity."""
        if self.bundle is not None:
            q = self.bundle.quality
        elif self.ledger is not None:
            from gonghui_kit.ingest.check import quality_summary

            q = quality_summary(self.ledger, self._finding_list)
        else:
            q = pd.DataFrame(columns=list(_QUALITY_SPEC["columns"]))
        return Table(q.reset_index(drop=True), spec=_QUALITY_SPEC)

    def canonical(self, unit: str) -> str:
        """The roster's name for ``unit`` (former names and spellings accepted)."""
        return self.registry.canonical(unit) if self.registry is not None else str(unit).strip()

    def _units(self, units: str | Iterable[str] | None, year: int | None = None) -> list[str]:
        if units is None:
            d = self.indicators
            return sorted(pd.unique(d.loc[d["year"] == year, "unit"]).tolist()) if year is not None else self.units
        names = [units] if isinstance(units, str) else list(units)
        out = [self.canonical(u) for u in names]
        known = set(self.units)
        missing = [u for u in out if u not in known]
        if missing:
            raise ValueError(f"数据中没有单位“{'、'.join(missing)}”（可用：{'、'.join(self.units)}）")
        return out

    def _year(self, year: int | None) -> int:
        if year is None:
            if not self.years:
                raise ValueError("数据中没有任何年度的指标")
            return self.years[-1]
        if int(year) not in self.years:
            raise ValueError(f"数据中没有 {year} 年度（有：{'、'.join(map(str, self.years))}）")
        return int(year)

    @staticmethod
    def _keys(indicators: Sequence[str] | None) -> list[str]:
        keys = list(indicators) if indicators else list(KEY_INDICATORS)
        bad = [k for k in keys if k not in BY_KEY]
        if bad:
            raise ValueError(f"未知的指标：{'、'.join(bad)}（可用：{'、'.join(BY_KEY)}）")
        return keys

    # -- tables ------------------------------------------------------------------
    def select(
        self,
        units: str | Iterable[str] | None = None,
        indicators: Sequence[str] | None = None,
        years: Iterable[int] | None = None,
        *,
        categories: bool = False,
    ) -> Table:
        """Rows of the tidy table (totals only unless ``categories``) plus the
        Chinese ``label``: the ``data=`` of :mod:`gonghui_kit.present.charts`.

        >>> ind = pd.DataFrame({"unit": "甲", "year": [2023, 2024], "indicator": "activities", "category": "",
        ...                     "value": [8.0, 12.0]})
        >>> Dataset(ind).select("甲", ["activities"])[["year", "label", "value"]].values.tolist()
        [[2023, '活动场次', 8.0], [2024, '活动场次', 12.0]]
        """
        d = self.indicators.plain()
        if units is not None:
            d = d[d["unit"].isin(self._units(units))]
        if indicators is not None:
            d = d[d["indicator"].isin(self._keys(indicators))]
        if years is not None:
            d = d[d["year"].isin([int(y) for y in years])]
        if not categories:
            d = d[d["category"] == ""]
        d = d.assign(label=d["indicator"].map(lambda k: BY_KEY[k].label)).reset_index(drop=True)
        spec = dict(_IND_SPEC, columns={**_IND_SPEC["columns"]})
        return Table(d, spec=spec)

    def wide(
        self,
        year: int | None = None,
        indicators: Sequence[str] | None = None,
        units: str | Iterable[str] | None = None,
        *,
        sort: str | None = None,
    ) -> Table:
        """Units as rows, indicators as columns (Chinese labels; totals).

        ``year=None``: every year, rows ``(单位, 年度)``.  ``indicators``:
        keys of :data:`~gonghui_kit.analysis.indicators.INDICATORS` (default: all).
        ``sort``: an indicator key; rows by that indicator, highest first
        (missing values last).
        """
        from gonghui_kit.analysis.indicators import wide as wide_table

        y = None if year is None else self._year(year)
        w = wide_table(self.indicators.plain(), year=y)
        keys = list(w.columns) if indicators is None else self._keys(indicators)
        w = w.reindex(columns=keys)
        if units is not None:
            names = self._units(units)
            w = w[w.index.get_level_values("unit").isin(names)]
            w = w.reindex(sorted(w.index, key=lambda i: (names.index(i[0]), i[1])))
        if y is not None:
            w = w.droplevel("year")
            w.index.name = "单位"
        else:
            w.index = w.index.set_names(["单位", "年度"])
        if sort is not None:
            w = w.sort_values(self._keys([sort])[0], ascending=False, kind="stable", na_position="last")
        w.columns = [BY_KEY[k].label for k in keys]
        return Table(w, spec={"key": {BY_KEY[k].label: k for k in keys}})

    def compare(
        self, units: str | Iterable[str] | None = None, indicators: Sequence[str] | None = None, year: int | None = None
    ) -> Table:
        """Units side by side for one year (default: the latest): indicators as
        rows (Chinese labels); per unit its value, its rank within its peer
        group (1 is best; none for indicators without a better direction) and
        the peer group's median; last the median of all units.

        >>> ind = pd.DataFrame({"unit": list("甲乙丙"), "year": 2024, "indicator": "activities", "category": "",
        ...                     "value": [12.0, 8.0, 3.0]})
        >>> c = Dataset(ind).compare(["甲", "丙"], ["activities"])
        >>> print(c.loc["活动场次", ("甲", "数值")], c.loc["活动场次", ("丙", "同类排名")],
        ...       c.loc["活动场次", ("全部单位", "中位数")])
        12.0 3 8.0
        >>> c.display_frame().loc["活动场次"].tolist()
        ['12场次', '第1名', '8场次', '3场次', '第3名', '8场次', '8场次']
        """
        from gonghui_kit.analysis.compare import peer_groups, peer_medians, ranks

        y = self._year(year)
        names = self._units(units, y)
        keys = self._keys(indicators)
        ind = self.indicators.plain()
        tot = ind[(ind["year"] == y) & (ind["category"] == "")]
        val = tot.drop_duplicates(["unit", "indicator"]).set_index(["indicator", "unit"])["value"]
        rk = ranks(tot, self.registry, year=y).set_index(["indicator", "unit"])["rank"]
        med = peer_medians(tot, self.registry, year=y).set_index(["peer_group", "indicator"])["median"]
        groups = peer_groups(names, self.registry)
        cols: dict[tuple[str, str], Any] = {}
        for u in names:
            cols[(u, STATS[0])] = np.array([val.get((k, u), np.nan) for k in keys], dtype="float64")
            cols[(u, STATS[1])] = pd.array([rk.get((k, u), pd.NA) for k in keys], dtype="Int64")
            cols[(u, STATS[2])] = np.array([med.get((groups[u], k), np.nan) for k in keys], dtype="float64")
        overall = tot.groupby("indicator")["value"].median()
        cols[("全部单位", "中位数")] = np.array([overall.get(k, np.nan) for k in keys], dtype="float64")
        out = pd.DataFrame(cols, index=pd.Index([BY_KEY[k].label for k in keys], name="指标"))
        out.columns = pd.MultiIndex.from_tuples(out.columns, names=["单位", ""])
        return Table(
            out,
            spec={"row_keys": keys, "ranks": [STATS[1]], "caption": f"{y}年度；同类排名 1 为最好，同类中位数含本单位"},
        )

    def trend(
        self, units: str | Iterable[str], indicators: Sequence[str] | None = None, years: Iterable[int] | None = None
    ) -> Table:
        """Indicators (rows, Chinese labels) over the years (columns) of one
        unit, or of several (rows ``(单位, 指标)``)."""
        names = self._units(units)
        keys = self._keys(indicators)
        ind = self.indicators.plain()
        d = ind[ind["unit"].isin(names) & ind["indicator"].isin(keys) & (ind["category"] == "")]
        ys = sorted(int(y) for y in years) if years is not None else self.years
        s = d.drop_duplicates(["unit", "indicator", "year"]).set_index(["unit", "indicator", "year"])["value"]
        rows = [(u, k) for u in names for k in keys]
        data = {y: [s.get((u, k, y), np.nan) for u, k in rows] for y in ys}
        if isinstance(units, str):
            index = pd.Index([BY_KEY[k].label for _, k in rows], name="指标")
        else:
            index = pd.MultiIndex.from_tuples([(u, BY_KEY[k].label) for u, k in rows], names=["单位", "指标"])
        out = pd.DataFrame(data, index=index, dtype="float64")
        out.columns = pd.Index(ys, name="年度")
        return Table(out, spec={"row_keys": [k for _, k in rows]})

    def _named(self) -> pd.DataFrame | None:
        """The nameable ledger rows (activities, awards …) the draft tells, as the report has them."""
        if self.bundle is not None:
            return getattr(self.bundle, "named", None)
        if self.ledger is None:
            return None
        from gonghui_kit.analysis.named import named_facts

        return named_facts(self.ledger.tables)

    def _all_highlights(self) -> pd.DataFrame:
        if self._highlights is None:
            if self.bundle is not None:
                self._highlights = self.bundle.highlights
            else:
                from gonghui_kit.analysis.highlights import highlights

                tables = self.ledger.tables if self.ledger is not None else None
                b = self.breaches if len(self.breaches) else None
                self._highlights = highlights(self.indicators.plain(), self.registry, b, tables)
        return self._highlights

    def highlights(self, unit: str | None = None, year: int | None = None, *, n: int | None = None) -> Table:
        """Highlights and shortcomings (what the unit report lists), best first;
        ``n``: at most that many of each kind per unit and year."""
        h = self._all_highlights()
        if unit is not None:
            h = h[h["unit"] == self._units(unit)[0]]
        if year is not None:
            h = h[h["year"] == self._year(year)]
        if n is not None:
            h = h.groupby(["unit", "year", "kind"], sort=False).head(n)
        return Table(h.reset_index(drop=True), spec=_HL_SPEC)

    def summary(self, unit: str, year: int | None = None) -> Text:
        """The 工作总结初稿 (Markdown) the unit report shows."""
        from gonghui_kit.analysis.narrative import draft_summary

        name, y = self._units(unit)[0], self._year(year)
        b = self.breaches if len(self.breaches) else None
        hl = self._all_highlights()
        text = draft_summary(
            name, y, self.indicators.plain(), highlights_df=hl, breaches=b, registry=self.registry, tables=self._named()
        )
        return Text(text)

    # -- reports and exports -------------------------------------------------
    def _need_bundle(self):
        if self.bundle is None:
            raise ValueError('报告需要年度数据包：请用 gh.load(台账根目录, year=年度, bundle="") 打开')
        return self.bundle

    def unit_report(self, unit: str):
        """The unit report's parts (:class:`gonghui_kit.present.report.UnitReport`)."""
        from gonghui_kit.present.report import UnitReport

        b = self._need_bundle()
        if unit not in b.unit_names:
            raise ValueError(f"{b.year} 年度的台账中没有单位“{unit}”（可用：{'、'.join(b.unit_names)}）")
        return UnitReport(b, unit, b.year)

    def compare_report(self, units: Sequence[str] | None = None):
        """The comparison page's parts (:class:`gonghui_kit.present.report.CompareReport`);
        unknown names are left out, none left means every unit."""
        from gonghui_kit.present.report import CompareReport

        b = self._need_bundle()
        names = [u for u in (units or b.unit_names) if u in b.unit_names] or b.unit_names
        return CompareReport(b, b.year, names)

    def to_excel(self, path: str | Path, *, year: int | None = None) -> Path:
        """The indicator workbook ``gonghui indicators --format xlsx`` writes (one sheet per topic)."""
        from gonghui_kit.present.xlsx import write_indicators_xlsx

        return write_indicators_xlsx(path, self.indicators.plain(), year=year, registry=self.registry)

    # -- display -------------------------------------------------------------------
    def _severity(self) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        f = self.findings
        if f.empty:
            return {}, {}
        total = f["severity"].value_counts().to_dict()
        per = f.dropna(subset=["unit"]).groupby(["unit", "severity"]).size()
        unit_sev: dict[str, dict[str, int]] = {}
        for (u, s), n in per.items():
            unit_sev.setdefault(u, {})[s] = int(n)
        return {k: int(v) for k, v in total.items()}, unit_sev

    def _records(self) -> dict[tuple[str, int], int] | None:
        if self.ledger is None:
            return None
        parts = [df.groupby(["unit", "year"]).size() for k, df in self.ledger.tables.items() if k != "info" and len(df)]
        if not parts:
            return {}
        s = pd.concat(parts).groupby(level=[0, 1]).sum()
        return {(u, int(y)): int(n) for (u, y), n in s.items()}

    def _repr_html_(self) -> str:
        ind = self.indicators
        m = ind[(ind["indicator"] == "members_total") & (ind["category"] == "")]
        members = {(u, int(y)): float(v) for u, y, v in zip(m["unit"], m["year"], m["value"], strict=False)}
        total, per_unit = self._severity()
        title = f"{self.bundle.year}年度数据包" if self.bundle is not None else "台账数据"
        return dataset_card(self.units, self.years, members, self._records(), total, per_unit, title=title)

    def __repr__(self) -> str:
        total, _ = self._severity()
        sev = "、".join(f"{_SEVERITY[s]} {total.get(s, 0)}" for s in _SEVERITY)
        years = "、".join(map(str, self.years)) or "—"
        return f"<Dataset：{len(self.units)} 个单位，年度 {years}，核查结果 {sev}>"


#: The JSON keys of ``gonghui check --format json`` (``d.findings`` has them
#: all; its ``row`` and ``col`` give the JSON's ``cell``, e.g. ``"E5"``).
JSON_FIELDS = (*FINDING_FIELDS, "code", "unit", "year", "cell")
