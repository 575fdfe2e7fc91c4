"""What each page of a year shows, as a hash: a page is rebuilt exactly when its key changes.

A unit's page shows its own rows of every table of the year's bundle
(indicators of every year up to Y, ranks with the peers' medians and counts,
highlights such as "同类第一", standards breaches, findings, the quality
counts, the member pyramid, proposals, the files it was read from), its
peer group's indicator rows of the year (the structure charts' medians), its
file name and the links to its pages of other years.  Its key hashes exactly
that slice, with the run's params, the notebooks' hashes and the toolkit
version.  The year's own pages (comparison, index, workbook, quality page)
show the whole year: their key hashes the whole bundle.

Row order is kept (it is what a page shows); the ``path`` column (where the
data folder happens to be) and the build's time stamp are left out.

>>> import pandas as pd
>>> t = pd.DataFrame({"unit": ["甲", "乙"], "value": [1.0, 2.0]})
>>> frame_digest(t[t["unit"] == "甲"]) == frame_digest(pd.DataFrame({"unit": ["甲"], "value": [1.0]}))
True
>>> frame_digest(t) == frame_digest(t.assign(value=[1.0, 2.5]))
False
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

import pandas as pd

__all__ = ["frame_digest", "digest", "unit_keys", "year_key", "page_keys", "BUNDLE_TABLES"]

# the bundle's tables, in a fixed order
BUNDLE_TABLES = (
    "ind",
    "units",
    "findings",
    "quality",
    "files",
    "pyramid",
    "proposal_status",
    "ranks",
    "highlights",
    "breaches",
)
_DROP = ("path",)


def digest(obj: Any) -> str:
    """SHA-256 of a JSON-able value (lone surrogates from odd file names kept as they are)."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def frame_digest(df: pd.DataFrame | None) -> str:
    """SHA-256 of a table's columns and values as shown (in row order, index
    ignored; a float column of whole numbers counts as integers)."""
    if df is None:
        return "none"
    df = df.drop(columns=[c for c in _DROP if c in df.columns])
    for c in df.columns:  # a year column turns float when a refused file has no year: same numbers, same key
        s = df[c]
        if s.dtype.kind == "f" and s.notna().any() and bool((s.dropna() % 1 == 0).all()):
            df = df.assign(**{c: s.astype("Int64")})
    h = hashlib.sha256()
    h.update(digest([str(c) for c in df.columns]).encode())
    # 12 significant digits: more than any page shows, fewer than the last bit a sum in another order moves
    h.update(df.to_csv(index=False, lineterminator="\n", float_format="%.12g").encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _by_unit(df: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    if df is None or df.empty or "unit" not in df.columns:
        return {}
    return {str(u): g for u, g in df.groupby("unit", sort=False, dropna=True)}


def unit_keys(
    bundle, units: Iterable[str], *, slugs: dict[str, str], other_pages: dict[str, list], base: dict[str, Any]
) -> dict[str, str]:
    """Each unit page's key (see module docstring).  ``other_pages``: unit →
    its pages of other years that the page links to; ``base``: params,
    notebooks, version."""
    year = bundle.year
    tables = {name: _by_unit(getattr(bundle, name, None)) for name in BUNDLE_TABLES}
    files = bundle.files
    ok_files = _by_unit(files[files["status"] == "ok"]) if files is not None and not files.empty else {}
    ind = bundle.ind
    ind_y = ind[ind["year"] == year] if ind is not None and not ind.empty else ind
    groups: dict[str, str] = {}
    if bundle.units is not None and not bundle.units.empty and "peer_group" in bundle.units:
        groups = {str(u): str(g) for u, g in zip(bundle.units["unit"], bundle.units["peer_group"], strict=False)}
    peer_digest: dict[str, str] = {}
    if ind_y is not None and not ind_y.empty:
        members: dict[str, list[str]] = {}
        for u, g in groups.items():
            members.setdefault(g, []).append(u)
        for g, us in members.items():
            peer_digest[g] = frame_digest(ind_y[ind_y["unit"].isin(us)])
    empty = frame_digest(pd.DataFrame())
    out = {}
    for u in units:
        parts = {name: frame_digest(tables[name][u]) if u in tables[name] else empty for name in BUNDLE_TABLES}
        parts["ok_files"] = frame_digest(ok_files[u]) if u in ok_files else empty
        g = groups.get(u)
        out[u] = digest(
            {
                "year": year,
                "unit": u,
                "slug": slugs.get(u),
                "peers": peer_digest.get(g or "", empty),
                "group": g,
                "tables": parts,
                "other_pages": other_pages.get(u, []),
                **base,
            }
        )
    return out


def year_key(bundle, *, slugs: dict[str, str], base: dict[str, Any]) -> str:
    """The key of the year's own pages: the whole bundle, every unit's file name."""
    parts = {name: frame_digest(getattr(bundle, name, None)) for name in BUNDLE_TABLES}
    return digest(
        {"year": bundle.year, "years": [int(y) for y in bundle.years], "tables": parts, "slugs": slugs, **base}
    )


def page_keys(bundle, base: dict[str, Any]) -> tuple[dict[str, str], dict[str, str], str]:
    """(slugs, each unit page's key, the year pages' key) of a year's bundle
    made by ``gonghui build`` (its pages link to the unit's pages of other
    years that the archive lists)."""
    from gonghui_kit.archive import layout
    from gonghui_kit.present.report import other_year_pages

    units = bundle.unit_names
    slugs = layout.unique_slugs(units)
    ind = bundle.ind
    years_of = (
        {str(u): sorted(int(y) for y in g.unique() if int(y) != bundle.year) for u, g in ind.groupby("unit")["year"]}
        if not ind.empty
        else {}
    )
    other = {u: [list(p) for p in other_year_pages(bundle, u, years_of.get(u, []))] for u in units}
    return (
        slugs,
        unit_keys(bundle, units, slugs=slugs, other_pages=other, base=base),
        year_key(bundle, slugs=slugs, base=base),
    )
