"""The ground truth of a sample: what each workbook holds and what a
correct reader must find (records, anomalies, planted mess), as a
:class:`SampleResult` and optionally as JSON files (see the package doc).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from gonghui_kit.ledgers.sample.tables import Table
from gonghui_kit.schema import load_schema

__all__ = ["ANOMALY_KINDS", "SampleResult", "read_truth", "table_truth", "truth_to_json"]

#: Anomaly kind -> whether the row is counted (also listed among records).
ANOMALY_KINDS: dict[str, bool] = {
    "subtotal": False,
    "duplicate": False,
    "other_year": False,
    "note": False,
    "no_date": True,
    "hidden_row": True,
    "unknown_category": True,
    "approx_number": True,
    "cash_gift": True,
}


# --------------------------------------------------------------------------
# result


@dataclass
class SampleResult:
    """What ``generate_sample`` wrote and what it planted (see the package doc)."""

    out_dir: Path
    files: list[Path]
    truth: dict[str, dict]
    renames: dict[str, list[str]] = field(default_factory=dict)  # current name -> former names
    units: list[str] = field(default_factory=list)  # current unit names

    def truth_for(self, path: str | Path) -> dict:
        """The truth of one workbook, by absolute or ``out_dir``-relative path."""
        p = Path(path)
        key = (p.relative_to(self.out_dir) if p.is_absolute() else p).as_posix()
        return self.truth[key]

    def records(self, sheet_key: str) -> Iterator[tuple[dict, dict]]:
        """(workbook truth, record) for every counted record of a sheet."""
        for t in self.truth.values():
            for r in t["sheets"].get(sheet_key, {}).get("records", []):
                yield t, r

    def anomalies(self, kind: str | None = None) -> Iterator[tuple[dict, dict]]:
        """(workbook truth, anomaly), optionally of one kind."""
        for t in self.truth.values():
            for a in t["anomalies"]:
                if kind is None or a["kind"] == kind:
                    yield t, a

    def mess_counts(self) -> Counter:
        """Mess kind -> times planted across the sample."""
        c: Counter = Counter()
        for t in self.truth.values():
            c.update(t["mess"])
        return c


# --------------------------------------------------------------------------
# truth


def table_truth(t: Table) -> tuple[dict, list[dict]]:
    """The truth of one laid-out table: (sheet truth, anomalies), as in the package doc."""
    records, anomalies = [], []

    def anomaly(kind, row, column=None, raw=None, **extra):
        header = t.headers[[c.key for c in t.columns].index(column)] if column else None
        anomalies.append(
            {
                "sheet": t.name,
                "sheet_key": t.key,
                "row": row,
                "kind": kind,
                "counted": ANOMALY_KINDS[kind],
                "column": column,
                "header": header,
                "raw": None if raw is None else (raw if isinstance(raw, (int, float)) else str(raw)),
                **extra,
            }
        )

    for r in t.rows:
        if r.kind == "record":
            records.append({"_row": r.excel_row, **r.truth})
            for kind, col, raw in r.flags:
                anomaly(kind, r.excel_row, col, raw)
        elif r.kind == "duplicate":
            anomaly("duplicate", r.excel_row, of_row=r.of.excel_row)
        elif r.kind in ("subtotal", "other_year", "note"):
            raw = r.cells[0] if r.kind == "note" else None
            if r.kind == "other_year":
                key = _date_key(t)
                anomaly(
                    "other_year", r.excel_row, key, r.cells[[c.key for c in t.columns].index(key)], value=r.truth[key]
                )
            else:
                anomaly(r.kind, r.excel_row, raw=raw)
    sheet = {
        "name": t.name,
        "header_row": t.header_row,
        "headers": {c.key: h for c, h in zip(t.columns, t.headers, strict=True)},
        "scale": dict(t.scales),
        "records": records,
    }
    return sheet, anomalies


def _date_key(t: Table) -> str:
    return load_schema().sheet(t.key).date_column


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    month_only = isinstance(obj, tuple) and len(obj) == 2 and all(isinstance(x, int) for x in obj)
    if isinstance(obj, (list, tuple)) and not month_only:
        return [_jsonable(v) for v in obj]
    if isinstance(obj, tuple):
        return f"{obj[0]:04d}-{obj[1]:02d}"
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def truth_to_json(truth: dict) -> str:
    """One workbook's truth as JSON text (dates ISO, month-only ``YYYY-MM``)."""
    return json.dumps(_jsonable(truth), ensure_ascii=False, indent=1, sort_keys=True)


def read_truth(path: str | Path) -> dict:
    """Read a ``_truth/*.json`` back, with dates of date columns as
    ``datetime.date`` and month-only dates as ``(year, month)``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    schema = load_schema()

    def conv(v):
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return dt.date.fromisoformat(v)
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}", v):
            return (int(v[:4]), int(v[5:]))
        return v

    for key, sheet in data["sheets"].items():
        dates = {c.key for c in schema.sheet(key).columns if c.type == "date"}
        for r in sheet["records"]:
            for k in dates & set(r):
                r[k] = conv(r[k])
    data["info"]["fill_date"] = conv(data["info"].get("fill_date"))
    for a in data["anomalies"]:
        if "value" in a:
            a["value"] = conv(a["value"])
    return data
