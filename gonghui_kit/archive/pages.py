"""The archive's own pages: the all-years index, each year's index and its data-quality page.

Rendered from Jinja templates (``templates/html/``) with autoescaping: text
from a ledger can never become markup or script in a reader's browser.  Every
link is made by :func:`gonghui_kit.archive.layout.link`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from gonghui_kit import __version__
from gonghui_kit.archive import layout
from gonghui_kit.archive.manifest import is_sealed, read_manifest
from gonghui_kit.atomic import write_text
from gonghui_kit.present.fmt import fmt_date, fmt_indicator, fmt_int, fmt_pct, fmt_time, fmt_yuan
from gonghui_kit.resources import shipped

__all__ = [
    "render_page",
    "write_year_index",
    "write_quality_page",
    "write_root_index",
    "render_root_index",
    "root_index_current",
    "quality_groups",
    "KEY_COLUMNS",
]


@functools.lru_cache(maxsize=1)
def _env():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(shipped("templates", "html")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(int=fmt_int, pct=fmt_pct, yuan=fmt_yuan, when=fmt_time)
    env.globals["L"] = layout
    return env


def _css() -> str:
    return shipped("templates", "html", "report.css").read_text(encoding="utf-8")


def _js() -> str:
    return shipped("templates", "html", "tables.js").read_text(encoding="utf-8")


def render_page(template: str, page: str, **ctx: Any) -> str:
    """Render a page that will live at ``page`` (a :mod:`~gonghui_kit.archive.layout` place);
    the template writes its links as ``link(L.compare_page(year))``."""
    env = _env()
    return env.get_template(template).render(
        css=_css(), js=_js(), version=__version__, link=functools.partial(layout.link, page), **ctx
    )


KEY_COLUMNS = [  # (indicator, column label, kind: kept for callers; every number goes through fmt_indicator)
    ("members_total", "会员人数", "int"),
    ("membership_rate", "入会率", "pct"),
    ("activities", "活动场次", "int"),
    ("activity_participants", "参与人次", "int"),
    ("care_visits", "慰问人次", "int"),
    ("expense_total", "经费支出", "yuan"),
    ("proposal_close_rate", "提案办结率", "pct"),
]


def write_year_index(path: Path, bundle, unit_status: dict[str, dict[str, Any]], *, compare_ok: bool = True) -> Path:
    ind = bundle.ind
    year = bundle.year
    tot = ind[(ind["year"] == year) & (ind["category"] == "")]
    wide = tot.pivot_table(index="unit", columns="indicator", values="value", aggfunc="first")
    rep_frame = getattr(bundle, "reporting", None)
    reporting = {} if rep_frame is None or rep_frame.empty else rep_frame.set_index("unit").to_dict("index")
    missing = [u for u, r in reporting.items() if r.get("status") == "未报送"]
    rows = []
    for u in bundle.unit_names:
        st = unit_status.get(u, {})
        vals = []
        for key, _label, _kind in KEY_COLUMNS:
            v = wide.at[u, key] if (u in wide.index and key in wide.columns) else float("nan")
            vals.append({"value": None if pd.isna(v) else float(v), "text": fmt_indicator(key, v)})
        grp = bundle.units.set_index("unit")["peer_group"].get(u, "") if not bundle.units.empty else ""
        rep = reporting.get(u, {})
        rows.append(
            {
                "unit": u,
                "slug": st.get("slug", ""),
                "status": st.get("status", "ok"),
                "error": st.get("error"),
                "group": grp,
                "values": vals,
                "reported": rep.get("status", ""),
                "incomplete": getattr(bundle, "incomplete", {}).get(u, 0),
                "fill_date": fmt_date(rep.get("fill_date")),
            }
        )
    q = bundle.quality
    qsum = {
        "files": int(len(q)),
        "errors": int(q["error"].sum()) if "error" in q else 0,
        "warnings": int(q["warning"].sum()) if "warning" in q else 0,
        "excluded": int(q[["subtotals", "duplicates", "other_year", "notes"]].sum().sum()) if not q.empty else 0,
    }
    html = render_page(
        "year_index.html.j2",
        layout.year_index(year),
        title=f"{year}年度工会工作报告",
        year=year,
        years=bundle.years,
        rows=rows,
        columns=KEY_COLUMNS,
        other_years=_other_years(Path(path).parent.parent, year),
        failed=[r for r in rows if r["status"] not in ("ok", "stale")],
        stale=[r for r in rows if r["status"] == "stale"],
        compare_ok=compare_ok,
        quality=qsum,
        not_reported=missing,
        built_at=bundle.built_at,
    )
    return write_text(path, html)


def _other_years(out: Path, year: int) -> list[int]:
    """Earlier years that have an index page in ``out``, newest first (no link
    to a year that was never built).  Never later ones: a year's page must not
    change when next year is built (it may be sealed by then, and a plain
    build must equal a ``--force`` one); the archive's front page lists them all."""
    return [y for y in layout.built_years(out) if y < year]


def write_quality_page(path: Path, bundle) -> Path:
    q = bundle.quality.copy()
    html = render_page(
        "quality.html.j2",
        layout.quality_page(bundle.year),
        title=f"{bundle.year}年度台账数据质量报告",
        year=bundle.year,
        files=q.to_dict("records"),
        groups=quality_groups(bundle.findings),
        built_at=bundle.built_at,
    )
    return write_text(path, html)


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def quality_groups(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """Findings grouped for the quality page: per file (in order of first
    appearance), one item per distinct (severity, code, message) with its
    count and rows, errors first.  One pass over the rows (a pandas groupby
    per file cost ~0.3 s for 50 units).

    >>> f = pd.DataFrame({"file": ["a.xlsx", "a.xlsx", "b.xlsx", "a.xlsx"], "unit": ["甲", "甲", None, "甲"],
    ...                   "severity": ["warning", "warning", "error", "error"], "code": ["x", "x", "y", "z"],
    ...                   "message": ["日期不详", "日期不详", "缺表", "金额错"], "row": [5, 3, None, 9]})
    >>> [(g["file"], g["unit"], [(i["severity"], i["n"], i["rows"]) for i in g["items"]]) for g in quality_groups(f)]
    [('a.xlsx', '甲', [('error', 1, '9'), ('warning', 2, '3、5')]), ('b.xlsx', '', [('error', 1, '')])]
    """
    files: dict[Any, dict[str, Any]] = {}
    if findings.empty:
        return []
    cols = findings[["file", "unit", "severity", "code", "message", "row"]]
    for file, unit, sev, code, msg, row in cols.itertuples(index=False, name=None):
        g = files.get(file)
        if g is None:
            g = files[file] = {"file": file, "unit": "", "items": {}}
        if not g["unit"] and isinstance(unit, str) and unit:
            g["unit"] = unit
        item = g["items"].get((sev, code, msg))
        if item is None:
            item = g["items"][(sev, code, msg)] = {"severity": sev, "code": code, "message": msg, "n": 0, "rows": set()}
        item["n"] += 1
        if row is not None and not pd.isna(row):
            item["rows"].add(int(row))
    out = []
    for g in files.values():
        items = sorted(g["items"].values(), key=lambda i: _SEVERITY_ORDER.get(i["severity"], 3))
        for i in items:
            i["rows"] = _row_text(i["rows"])
        out.append({"file": g["file"], "unit": g["unit"], "items": items})
    return out


def _row_text(rows: set[int], limit: int = 15) -> str:
    rows = sorted(rows)
    text = "、".join(str(r) for r in rows[:limit])
    return text + (f" 等 {len(rows)} 行" if len(rows) > limit else "")


def render_root_index(out: Path) -> str:
    """The all-years index of the archive at ``out``, as HTML."""
    out = Path(out)
    years = []
    for y in layout.built_years(out):
        man = read_manifest(layout.year_dir(out, y))
        units = man.get("units", {})
        years.append(
            {
                "year": str(y),
                "units": len(units),
                "failed": sum(1 for u in units.values() if u.get("status") != "ok"),
                "built_at": man.get("built_at", ""),
                "sealed": is_sealed(layout.year_dir(out, y)),
            }
        )
    return render_page("root_index.html.j2", layout.ROOT_INDEX, title="工会工作报告档案", years=years)


def root_index_current(out: Path) -> bool:
    """Whether the all-years index says what it should (nothing to write)."""
    p = layout.at(out, layout.ROOT_INDEX)
    try:
        return p.read_bytes() == render_root_index(out).encode("utf-8")
    except OSError:
        return False


def write_root_index(out: Path) -> Path:
    """Write the all-years index, unless it already says the same (a build
    that changes nothing writes nothing, even on read-only media)."""
    p = layout.at(out, layout.ROOT_INDEX)
    html = render_root_index(out)
    try:
        if p.read_bytes() == html.encode("utf-8"):
            return p
    except OSError:
        pass
    return write_text(p, html)
