"""The yearly archive: file names, pages, manifest, seal and verify.

Layout of ``reports/`` (each year stands alone and opens offline)::

    reports/index.html                all years
    reports/<Y>/index.html            every unit with key figures, links, failures
    reports/<Y>/units/<slug>.html     one report per unit
    reports/<Y>/compare.html          units side by side
    reports/<Y>/quality.html          what was fixed or excluded, per file
    reports/<Y>/indicators.xlsx       the indicators, a sheet per topic
    reports/<Y>/notebooks/*.ipynb     executed notebooks, for audit
    reports/<Y>/manifest.json         versions and sha256 of every input and output
    reports/<Y>/SEALED.json           present once the year is final

Every page is rendered with autoescaping: text from a ledger can never become
markup or script in a reader's browser.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

import pandas as pd

from gonghui_kit import __version__
from gonghui_kit.atomic import sha256_file, write_json, write_text
from gonghui_kit.resources import shipped

__all__ = [
    "slugify",
    "unique_slugs",
    "SEAL_FILE",
    "MANIFEST",
    "is_sealed",
    "seal",
    "reseal",
    "read_manifest",
    "write_manifest",
    "verify",
    "write_year_index",
    "write_quality_page",
    "write_root_index",
    "render_page",
    "display_time",
]

SEAL_FILE = "SEALED.json"
MANIFEST = "manifest.json"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u2028\u2029]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def slugify(name: str, *, max_len: int = 60) -> str:
    """A file name for a unit that is safe on Windows, macOS and Linux and in
    a URL path segment, keeping Chinese readable.

    >>> slugify("机修分工会"), slugify("../../etc/passwd"), slugify("a/b\\\\c"), slugify("CON")
    ('机修分工会', 'etc-passwd', 'a-b-c', 'CON-unit')
    >>> slugify("！！！").startswith("unit-"), slugify("x\\x00y"), len(slugify("长" * 300)) <= 60
    (True, 'x-y', True)
    """
    s = unicodedata.normalize("NFKC", str(name))
    s = _UNSAFE.sub("-", s)
    s = re.sub(r"\s+", "-", s)
    s = re.sub(r"\.{2,}", "-", s)
    s = re.sub(r"-{2,}", "-", s).strip("-. ")
    keep = "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN" or ch in "-_（）()")
    if not keep:
        return "unit-" + hashlib.sha1(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    s = "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN" or ch in "-_.（）()").strip("-. ")
    if len(s) > max_len:
        s = s[: max_len - 9].rstrip("-. ") + "-" + hashlib.sha1(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if s.split(".")[0].lower() in _RESERVED:
        s += "-unit"
    return s


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """Slugs that stay unique even when two names fold to the same slug
    (case-insensitively, as Windows and macOS compare file names).

    >>> unique_slugs(["a/b", "a\\\\b", "A-B"])
    {'a/b': 'a-b', 'a\\\\b': 'a-b-2', 'A-B': 'A-B-3'}
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for n in names:
        base = slugify(n)
        s, i = base, 1
        while s.lower() in taken:
            i += 1
            s = f"{base}-{i}"
        taken.add(s.lower())
        out[n] = s
    return out


def href(slug: str) -> str:
    """URL-encode a slug for a relative link."""
    return quote(slug, safe="-_.()")


# --------------------------------------------------------------------------
# manifest, seal, verify


def _outputs(year_dir: Path) -> dict[str, str]:
    out = {}
    for p in sorted(year_dir.rglob("*")):
        rel = p.relative_to(year_dir).as_posix()
        if p.is_dir() or p.is_symlink() or rel in (MANIFEST, SEAL_FILE) or any(part.startswith(".") for part in Path(rel).parts):
            continue
        out[rel] = sha256_file(p)
    return out


def read_manifest(year_dir: Path) -> dict[str, Any]:
    p = Path(year_dir) / MANIFEST
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_manifest(year_dir: Path, *, year: int, inputs: pd.DataFrame, params: dict, notebooks: dict, units: dict, engine: str, fingerprint: str | None = None) -> Path:
    year_dir = Path(year_dir)
    ins = [
        {"file": r["file"], "sha256": r["sha256"], "unit": r["unit"], "year": None if pd.isna(r["year"]) else int(r["year"]), "status": r["status"]}
        for _, r in inputs.iterrows()
    ]
    manifest = {
        "toolkit": "gonghui_kit",
        "toolkit_version": __version__,
        "year": year,
        "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "engine": engine,
        "inputs": ins,
        "params": params,
        "notebooks": notebooks,
        "units": units,
        "fingerprint": fingerprint,
        "outputs": _outputs(year_dir),
    }
    return write_json(year_dir / MANIFEST, manifest)


def is_sealed(year_dir: Path) -> bool:
    return (Path(year_dir) / SEAL_FILE).exists()


def seal(year_dir: Path, *, note: str = "") -> Path:
    """Mark a year final: its manifest's hash and the time, in SEALED.json."""
    year_dir = Path(year_dir)
    m = year_dir / MANIFEST
    if not m.exists():
        raise FileNotFoundError(f"{year_dir} 中没有 {MANIFEST}，请先生成该年度报告（gonghui build）")
    return write_json(year_dir / SEAL_FILE, {"sealed_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "manifest_sha256": sha256_file(m), "toolkit_version": __version__, "note": note})


def reseal(year_dir: Path) -> Path:
    """Seal a sealed year again on its current manifest (after ``build --force``),
    keeping the first seal's time and note and recording when it was resealed."""
    year_dir = Path(year_dir)
    try:
        old = json.loads((year_dir / SEAL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    new = json.loads(seal(year_dir, note=str(old.get("note", ""))).read_text(encoding="utf-8"))
    if old.get("sealed_at"):
        history = list(old.get("resealed", [])) + [new["sealed_at"]]
        new.update(sealed_at=old["sealed_at"], resealed=history)
        write_json(year_dir / SEAL_FILE, new)
    return year_dir / SEAL_FILE


def verify(year_dir: Path) -> dict[str, list[str]]:
    """Re-hash every output against the manifest.

    Returns ``{'changed': [...], 'missing': [...], 'extra': [...]}`` (paths
    relative to the year folder); all empty means the year is intact.
    """
    year_dir = Path(year_dir)
    man = read_manifest(year_dir)
    if not man:
        return {"changed": [], "missing": [MANIFEST], "extra": []}
    recorded: dict[str, str] = man.get("outputs", {})
    now = _outputs(year_dir)
    res = {
        "changed": sorted(k for k in recorded if k in now and now[k] != recorded[k]),
        "missing": sorted(k for k in recorded if k not in now),
        "extra": sorted(k for k in now if k not in recorded),
    }
    seal_p = year_dir / SEAL_FILE
    if seal_p.exists():
        try:
            s = json.loads(seal_p.read_text(encoding="utf-8"))
            if s.get("manifest_sha256") != sha256_file(year_dir / MANIFEST):
                res["changed"].append(MANIFEST)
        except (OSError, ValueError):
            res["changed"].append(SEAL_FILE)
    return res


# --------------------------------------------------------------------------
# pages


def display_time(iso: str | None) -> str:
    """An ISO time stamp as a reader wants it.

    >>> display_time("2026-11-24T09:21:54+08:00"), display_time(""), display_time("昨天")
    ('2026-11-24 09:21', '', '昨天')
    """
    if not iso:
        return ""
    try:
        return dt.datetime.fromisoformat(str(iso)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(iso)


@functools.lru_cache(maxsize=1)
def _env():
    import jinja2

    from gonghui_kit.present.fmt import fmt_int, fmt_pct, fmt_yuan

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(shipped("templates", "html")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(int=fmt_int, pct=fmt_pct, yuan=fmt_yuan, href=href, when=display_time)
    return env


def _css() -> str:
    return shipped("templates", "html", "report.css").read_text(encoding="utf-8")


def _js() -> str:
    return shipped("templates", "html", "tables.js").read_text(encoding="utf-8")


def render_page(template: str, **ctx: Any) -> str:
    env = _env()
    return env.get_template(template).render(css=_css(), js=_js(), version=__version__, **ctx)


KEY_COLUMNS = [
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
    rows = []
    for u in bundle.unit_names:
        st = unit_status.get(u, {})
        vals = []
        for key, label, kind in KEY_COLUMNS:
            v = wide.at[u, key] if (u in wide.index and key in wide.columns) else float("nan")
            vals.append({"value": None if pd.isna(v) else float(v), "kind": kind})
        grp = bundle.units.set_index("unit")["peer_group"].get(u, "") if not bundle.units.empty else ""
        rows.append({"unit": u, "slug": st.get("slug", ""), "status": st.get("status", "ok"), "error": st.get("error"), "group": grp, "values": vals})
    q = bundle.quality
    qsum = {
        "files": int(len(q)),
        "errors": int(q["error"].sum()) if "error" in q else 0,
        "warnings": int(q["warning"].sum()) if "warning" in q else 0,
        "excluded": int(q[["subtotals", "duplicates", "other_year", "notes"]].sum().sum()) if not q.empty else 0,
    }
    html = render_page(
        "year_index.html.j2",
        title=f"{year}年度工会工作报告",
        year=year,
        years=bundle.years,
        rows=rows,
        columns=KEY_COLUMNS,
        other_years=_other_years(Path(path).parent.parent, year),
        failed=[r for r in rows if r["status"] != "ok"],
        compare_ok=compare_ok,
        quality=qsum,
        built_at=bundle.built_at,
    )
    return write_text(path, html)


def _other_years(out: Path, year: int) -> list[int]:
    """Years other than ``year`` that have an index page in ``out`` (no link
    to a year that was never built), newest first."""
    if not out.is_dir():
        return []
    return sorted((int(p.name) for p in out.iterdir() if p.is_dir() and p.name.isdigit() and int(p.name) != year and (p / "index.html").exists()), reverse=True)


def write_quality_page(path: Path, bundle) -> Path:
    q = bundle.quality.copy()
    html = render_page("quality.html.j2", title=f"{bundle.year}年度台账数据质量报告", year=bundle.year, files=q.to_dict("records"), groups=quality_groups(bundle.findings), built_at=bundle.built_at)
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


def write_root_index(out: Path) -> Path:
    out = Path(out)
    years = []
    for p in sorted(out.iterdir(), reverse=True) if out.exists() else []:
        if p.is_dir() and p.name.isdigit() and (p / "index.html").exists():
            man = read_manifest(p)
            units = man.get("units", {})
            years.append(
                {
                    "year": p.name,
                    "units": len(units),
                    "failed": sum(1 for u in units.values() if u.get("status") != "ok"),
                    "built_at": man.get("built_at", ""),
                    "sealed": is_sealed(p),
                }
            )
    html = render_page("root_index.html.j2", title="工会工作报告档案", years=years)
    return write_text(out / "index.html", html)
