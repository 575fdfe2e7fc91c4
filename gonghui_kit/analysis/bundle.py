"""The year bundle: everything a year's reports show, computed once.

``prepare_bundle(data_root, year, ...)`` loads every year folder up to
``year`` (``data/2022``, ``data/2023``, … so year-on-year figures and trends
have their history), computes indicators, ranks, highlights, standards
breaches and the quality report, and keeps only aggregates: no record-level
table and no personal data is in a bundle.  ``gonghui build`` prepares it once
per year and every unit notebook reads it (``load_bundle``), instead of each
notebook re-reading all workbooks.  A notebook opened on its own in
JupyterLab prepares it itself from its ``data`` parameter.
"""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from gonghui_kit.analysis.indicators import compute_indicators
from gonghui_kit.analysis.named import named_facts
from gonghui_kit.feedback.status import status_frame, unit_status
from gonghui_kit.ingest.findings import Finding, findings_frame
from gonghui_kit.ingest.load import Ledger, assemble, load_years_ledgers

__all__ = [
    "Bundle",
    "prepare_bundle",
    "load_bundle",
    "save_bundle",
    "year_folders",
    "member_pyramid",
    "proposal_status",
    "AGE_GROUPS",
]

AGE_GROUPS = ("30岁以下", "30–39岁", "40–49岁", "50岁及以上")


@dataclass
class Bundle:
    year: int
    years: list[int]
    ind: pd.DataFrame
    units: pd.DataFrame  # unit, kind, peer_group, province (units of `year`)
    findings: pd.DataFrame  # the year's findings (loading + checks + standards)
    quality: pd.DataFrame  # per file of the year
    files: pd.DataFrame  # every file read, all years (file, sha256, unit, year, status)
    pyramid: pd.DataFrame  # unit, year, age_group, gender, count
    proposal_status: pd.DataFrame  # unit, year, status, count
    ranks: pd.DataFrame = field(default_factory=pd.DataFrame)
    highlights: pd.DataFrame = field(default_factory=pd.DataFrame)
    breaches: pd.DataFrame = field(default_factory=pd.DataFrame)
    # analysis.named.named_facts of the year (no personal data)
    named: pd.DataFrame = field(default_factory=pd.DataFrame)
    # who reported this year and with which file (feedback.status.status_frame; roster units too)
    reporting: pd.DataFrame = field(default_factory=pd.DataFrame)
    # units with data left uncounted this year (ingest.check.incomplete_units): unit -> number of places
    incomplete: dict[str, int] = field(default_factory=dict)
    built_at: str = ""
    data_root: str = ""
    # unit, year, source_file: the files each unit's data came from (Ledger.sources), all years
    sources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["unit", "year", "source_file"]))
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def unit_names(self) -> list[str]:
        return self.units["unit"].tolist()

    def unit_files(self, unit: str, year: int | None = None) -> pd.DataFrame:
        """The files read for a unit: its own, and a 上级工会's holding its records."""
        src = self.sources
        held = set(src[src["unit"] == unit]["source_file"]) if len(src) else set()
        f = self.files[((self.files["unit"] == unit) | self.files["file"].isin(held)) & (self.files["status"] == "ok")]
        if year is not None:
            f = f[f["year"] == year]
        return f.drop_duplicates(subset=["file", "year"])


def year_folders(data_root: str | Path, upto: int | None = None) -> dict[int, Path]:
    """``data/2023`` → {2023: path}; folders whose name is not a year are ignored."""
    root = Path(data_root)
    out = {}
    if root.is_dir():
        for p in sorted(root.iterdir()):
            if p.is_dir() and p.name.isdigit() and len(p.name) == 4 and (upto is None or int(p.name) <= upto):
                out[int(p.name)] = p
    return out


def member_pyramid(members: pd.DataFrame) -> pd.DataFrame:
    """Members counted in members_total, by age group (on 12-31) and gender.

    >>> m = pd.DataFrame({"unit": ["a"] * 3, "year": [2023] * 3, "gender": ["男", "女", "女"],
    ...                   "birth_date": pd.to_datetime(["1999-01-01", "1980-05-01", None]),
    ...                   "join_date": pd.to_datetime(["2020-01-01"] * 3), "leave_date": pd.to_datetime([None] * 3)})
    >>> member_pyramid(m)[["age_group", "gender", "count"]].values.tolist()
    [['30岁以下', '男', 1], ['40–49岁', '女', 1]]
    """
    if members.empty:
        return pd.DataFrame(columns=["unit", "year", "age_group", "gender", "count"])
    ye = pd.to_datetime(members["year"].astype(str) + "-12-31")
    cur = members[
        ((members["join_date"].isna()) | (members["join_date"] <= ye))
        & ((members["leave_date"].isna()) | (members["leave_date"] > ye))
    ]
    cur = cur[cur["birth_date"].notna() & cur["gender"].notna()]
    age = cur["year"] - cur["birth_date"].dt.year
    group = pd.cut(age, [-1, 29, 39, 49, 200], labels=list(AGE_GROUPS))
    out = (
        cur.assign(age_group=group.astype(str))
        .groupby(["unit", "year", "age_group", "gender"], observed=True)
        .size()
        .rename("count")
        .reset_index()
    )
    return out


def proposal_status(proposals: pd.DataFrame) -> pd.DataFrame:
    """Counts by status; 不立案 is its own status here."""
    if proposals.empty:
        return pd.DataFrame(columns=["unit", "year", "status", "count"])
    st = proposals["status"].where(proposals["accepted"] == "是", "不予立案").fillna("未填写")
    return proposals.assign(status=st).groupby(["unit", "year", "status"]).size().rename("count").reset_index()


def _combine(ledgers: list[Ledger]) -> Ledger:
    tables: dict[str, pd.DataFrame] = {}
    for key in ledgers[0].tables:
        parts = [l.tables[key] for l in ledgers if len(l.tables[key])]
        tables[key] = pd.concat(parts, ignore_index=True) if parts else ledgers[0].tables[key]
    findings = [f for l in ledgers for f in l.findings]
    files = pd.concat([l.files for l in ledgers], ignore_index=True)
    stats = (
        pd.concat([l.stats for l in ledgers if not l.stats.empty], ignore_index=True)
        if any(not l.stats.empty for l in ledgers)
        else pd.DataFrame()
    )
    reported = pd.concat([l.reported for l in ledgers], ignore_index=True)  # summary tables' values (统计表)
    return Ledger(tables, findings, files, stats, reported)


def load_years(
    data_root: str | Path, year: int, *, registry=None, jobs: int = 1, on_read: Callable[[], Any] | None = None
) -> tuple[Ledger, Ledger]:
    """(all years up to ``year``, ``year`` alone).  Data given as a folder of
    workbooks without year sub-folders is read as ``year``.  ``on_read``:
    see :func:`~gonghui_kit.ingest.load.load_years_ledgers`."""
    folders = year_folders(data_root, upto=year)
    if not folders:
        folders = {year: Path(data_root)}
    ledgers = load_years_ledgers(folders, registry=registry, jobs=jobs, on_read=on_read)
    current = ledgers.get(year) or assemble([])
    return _combine(list(ledgers.values())), current


def prepare_bundle(
    data_root: str | Path,
    year: int,
    *,
    registry=None,
    standards=None,
    jobs: int = 1,
    on_loaded: Callable[[], Any] | None = None,
) -> Bundle:
    """Compute a year's bundle (see module docstring).  ``on_loaded`` is
    called once the workbooks are read (the loader's ``jobs`` processes are
    done; what follows runs in this process alone)."""
    from gonghui_kit.analysis.units import UnitRegistry
    from gonghui_kit.ingest.check import check_ledger, incomplete_units, quality_summary

    registry = registry or UnitRegistry.empty()
    all_years, current = load_years(data_root, year, registry=registry, jobs=jobs, on_read=on_loaded)
    ind = compute_indicators(all_years)
    findings: list[Finding] = check_ledger(current)
    sources = all_years.sources()  # each unit's files: its own, and a 上级工会's holding its records
    units = sorted(sources.loc[sources["year"] == year, "unit"].unique().tolist())
    unit_frame = registry.frame(units)
    tables_year = {k: v[v["year"] == year] if "year" in v else v for k, v in all_years.tables.items()}

    breaches = pd.DataFrame()
    if standards is not None:
        from gonghui_kit.analysis.standards import breach_findings, breaches_frame

        breaches = breaches_frame(tables_year, ind, standards, registry)
        findings = findings + breach_findings(breaches)
    from gonghui_kit.analysis.compare import ranks as compute_ranks
    from gonghui_kit.analysis.highlights import highlights as compute_highlights

    rk = compute_ranks(ind, registry, year=year)
    hl = compute_highlights(ind, registry=registry, standards_breaches=breaches, tables=tables_year)
    return Bundle(
        year=year,
        years=sorted(int(y) for y in ind["year"].unique()) if len(ind) else [year],
        ind=ind,
        units=unit_frame,
        findings=findings_frame(findings),
        quality=quality_summary(current, findings),
        files=all_years.files,
        pyramid=member_pyramid(all_years.tables["members"][all_years.tables["members"]["year"] == year]),
        proposal_status=proposal_status(tables_year["proposals"]),
        ranks=rk,
        highlights=hl if hl is not None else pd.DataFrame(),
        breaches=breaches,
        named=named_facts(tables_year),
        reporting=status_frame(unit_status(current, registry, sources=sources[sources["year"] == year])),
        incomplete={u: len(v) for (u, y), v in incomplete_units(findings).items() if y == year},
        built_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        data_root=str(data_root),
        sources=sources,
        extra={"registry": registry},
    )


# --------------------------------------------------------------------------

_CACHE: dict[tuple[str, int, int], Bundle] = {}


def _cache_key(path: str | Path) -> tuple[str, int, int]:
    """The file and its version: a long-lived process (a Dask worker) must
    not serve last build's bundle after the file was rewritten."""
    p = Path(path).resolve()
    st = p.stat()
    return str(p), st.st_mtime_ns, st.st_size


def _remember(key: tuple[str, int, int], bundle: Bundle) -> None:
    for old in [k for k in _CACHE if k[0] == key[0]]:  # one version per file
        del _CACHE[old]
    _CACHE[key] = bundle


def save_bundle(bundle: Bundle, path: str | Path) -> Path:
    from gonghui_kit.atomic import write_bytes

    data = pickle.dumps(bundle, protocol=pickle.HIGHEST_PROTOCOL)
    write_bytes(path, data)
    _remember(_cache_key(path), bundle)
    return Path(path)


def load_bundle(path: str | Path) -> Bundle:
    """Read a bundle written by ``save_bundle`` (cached per process and file
    version: a warm parent reads it once and every forked report inherits it)."""
    key = _cache_key(path)
    b = _CACHE.get(key)
    if b is None:
        with open(path, "rb") as f:
            b = pickle.load(f)
        _remember(key, b)
    return b
