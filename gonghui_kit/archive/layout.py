"""Every path and link under ``reports/``: the archive's layout, decided here only.

Each year stands alone and opens offline::

    reports/index.html                all years
    reports/<Y>/index.html            every unit with key figures, links, failures
    reports/<Y>/units/<slug>.html     one report per unit
    reports/<Y>/compare.html          units side by side
    reports/<Y>/quality.html          what was fixed or excluded, per file
    reports/<Y>/indicators.xlsx       the indicators, a sheet per topic
    reports/<Y>/notebooks/*.ipynb     executed notebooks, for audit
    reports/<Y>/manifest.json         versions and sha256 of every input and output
    reports/<Y>/SEALED.json           present once the year is final
    reports/<Y>/.work/                the build's scratch space (never archived)
    reports/<Y>/.lock                 held by the build writing the year (never archived)
    reports/.lock                     held while the all-years index is written

Places are written as paths relative to ``reports/`` with ``/``
(:func:`unit_page` → ``2024/units/机修分工会.html``); :func:`at` turns one into
a file path, :func:`link` into a relative, URL-encoded link between two pages,
and :func:`in_year` into the name the year's manifest lists.

>>> unit_page(2024, "机修分工会"), link(year_index(2024), unit_page(2024, "a b"))
('2024/units/机修分工会.html', 'units/a%20b.html')
>>> link(unit_page(2024, "甲"), ROOT_INDEX), link(unit_page(2024, "甲"), unit_page(2023, "甲"))
('../../index.html', '../../2023/units/%E7%94%B2.html')
>>> in_year(2024, compare_page(2024))
'compare.html'
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

__all__ = [
    "ROOT_INDEX",
    "MANIFEST",
    "SEAL_FILE",
    "built_years",
    "slugify",
    "unique_slugs",
    "href",
    "year_dir",
    "at",
    "link",
    "in_year",
    "year_index",
    "unit_page",
    "unit_notebook",
    "compare_page",
    "compare_notebook",
    "quality_page",
    "indicators_xlsx",
    "manifest",
    "seal_file",
    "work_dir",
    "bundle_file",
    "lock_file",
    "ROOT_LOCK",
]

ROOT_INDEX = "index.html"
MANIFEST = "manifest.json"
SEAL_FILE = "SEALED.json"
ROOT_LOCK = ".lock"


def year_index(year: int) -> str:
    return f"{year}/index.html"


def unit_page(year: int, slug: str) -> str:
    return f"{year}/units/{slug}.html"


def unit_notebook(year: int, slug: str) -> str:
    return f"{year}/notebooks/{slug}.ipynb"


def compare_page(year: int) -> str:
    return f"{year}/compare.html"


def compare_notebook(year: int) -> str:
    return f"{year}/notebooks/compare_units.ipynb"


def quality_page(year: int) -> str:
    return f"{year}/quality.html"


def indicators_xlsx(year: int) -> str:
    return f"{year}/indicators.xlsx"


def manifest(year: int) -> str:
    return f"{year}/{MANIFEST}"


def seal_file(year: int) -> str:
    return f"{year}/{SEAL_FILE}"


def work_dir(year: int) -> str:
    """The build's scratch folder (dot-named: never listed in the manifest)."""
    return f"{year}/.work"


def bundle_file(year: int) -> str:
    return f"{year}/.work/bundle.pkl"


def lock_file(year: int) -> str:
    """The lock of the build writing a year (dot-named: never listed in the manifest)."""
    return f"{year}/.lock"


def year_dir(out: str | Path, year: int) -> Path:
    """``reports/<year>``."""
    return Path(out) / str(year)


def at(out: str | Path, place: str) -> Path:
    """The file of a place under the archive root ``out``."""
    return Path(out).joinpath(*place.split("/"))


def built_years(out: str | Path) -> list[int]:
    """Years under the archive root that have an index page, newest first."""
    out = Path(out)
    if not out.is_dir():
        return []
    found = (int(p.name) for p in out.iterdir() if p.is_dir() and p.name.isdigit())
    return sorted((y for y in found if at(out, year_index(y)).is_file()), reverse=True)


def in_year(year: int, place: str) -> str:
    """A place as the year's manifest names it (relative to ``reports/<year>``)."""
    prefix = f"{year}/"
    if not place.startswith(prefix):
        raise ValueError(f"{place} is not in year {year}")
    return place[len(prefix) :]


def link(from_page: str, to: str) -> str:
    """A relative, URL-encoded link from one page to another place."""
    rel = posixpath.relpath(to, posixpath.dirname(from_page) or ".")
    return quote(rel, safe="/-_.()")


# --------------------------------------------------------------------------
# slugs: a unit's name as a file name

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
        s = (
            s[: max_len - 9].rstrip("-. ")
            + "-"
            + hashlib.sha1(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        )
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
