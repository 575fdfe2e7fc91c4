"""Load ledgers: files → canonical tables + findings, in one call.

``load_ledgers(paths, year=...)`` is the library's front door.  For each
workbook it runs the stages in order:

1. ``safety.inspect_workbook`` — refuse what is not a readable .xlsx/.xlsm
   (old .xls, encrypted, corrupt, zip bombs, …) before any parser runs;
2. ``read.read_workbook`` — raw grids of cached cell values;
3. 基本信息 → unit and year (never from the file name);
4. per data sheet: find the header under any title rows and classify every
   row (blank, note, subtotal, duplicate, record: ``grid``), parse every
   column by its schema type (``values``, ``clean``), drop records of
   another year;
5. personal data (spec §6) is removed before anything leaves this module
   (``pii``): names become per-load pseudonyms (so "once a year per person"
   can still be checked) and ID and phone numbers are dropped.

The results and the combined ``Ledger`` are defined in ``ledger``.

Every row read ends up either in a table or in ``Ledger.stats`` and a
finding (``rows == title + blank + notes + subtotals + duplicates +
other_year + records`` for each sheet), which the property tests check.
"""

from __future__ import annotations

import contextlib
import gc
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from gonghui_kit.atomic import sha256_file
from gonghui_kit.ingest.context import LoadContext
from gonghui_kit.ingest.files import WORKBOOK_SUFFIXES, discover, display_name, is_under
from gonghui_kit.ingest.grid import summary_header
from gonghui_kit.ingest.info import settle_unit_year
from gonghui_kit.ingest.layouts import layout_for
from gonghui_kit.ingest.ledger import (
    INFO_COLUMNS,
    META_COLUMNS,
    Ledger,
    WorkbookResult,
    assemble,
    empty_table,
    table_columns,
)
from gonghui_kit.ingest.notes import NOTE_MESSAGES
from gonghui_kit.ingest.pii import new_salt
from gonghui_kit.ingest.read import RawWorkbook, ReadError, read_workbook
from gonghui_kit.ingest.records import clean_sheet
from gonghui_kit.ingest.sheets import assign_sheets, hidden_sheet, read_summary_sheet, unknown_sheet
from gonghui_kit.ingest.whose import sheet_owners
from gonghui_kit.schema import load_schema

__all__ = [
    "Ledger",
    "WorkbookResult",
    "load_ledgers",
    "load_years_ledgers",
    "load_workbook",
    "discover",
    "assemble",
    "empty_table",
    "table_columns",
    "META_COLUMNS",
    "INFO_COLUMNS",
    "NOTE_MESSAGES",
    "WORKBOOK_SUFFIXES",
]


def _sha256(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError:
        return ""


# --------------------------------------------------------------------------
# one workbook


def load_workbook(
    path: str | os.PathLike,
    *,
    year: int | None = None,
    engine: str = "calamine",
    name: str | None = None,
    salt: bytes | None = None,
    layout: Any = None,
) -> WorkbookResult:
    """Load one workbook (see module docstring).  Never raises for a bad file.
    ``layout``: a ``layouts.Layout`` saying how to read it (params/layouts)."""
    res, ctx, insp = _inspect(path, name, salt)
    ctx.layout = layout
    if insp is not None:
        wb = _read(res, ctx, engine, insp)
        if wb is not None:
            _confirm_read(res, ctx)
            _load_raw(wb, res, ctx, year)
    return res


CHANGED_WHILE_READ = "changed-while-read"


def _confirm_read(res: WorkbookResult, ctx: LoadContext) -> None:
    """The file's hash, taken before it was parsed, again: when it differs the
    file changed while it was read, and its hash says so (a build reads it
    again), so the recorded hash is always of the bytes parsed."""
    if res.sha256 and _sha256(res.path) != res.sha256:
        res.sha256 = CHANGED_WHILE_READ
        ctx.add(
            "",
            None,
            "",
            "",
            "kept",
            "warning",
            "文件在读取过程中被修改，读到的内容可能不完整；请等文件保存完毕后重新核查",
            "changed_while_read",
        )


def _inspect(path: str | os.PathLike, name: str | None, salt: bytes | None) -> tuple[WorkbookResult, LoadContext, Any]:
    """The safety check: the result so far, and the inspection when the file may be read (else None)."""
    from gonghui_kit.ingest.safety import inspect_workbook

    path = Path(path)
    name = name or path.name
    schema = load_schema()
    res = WorkbookResult(path=path, name=name, sha256="")
    ctx = LoadContext(name, None, None, schema, salt or new_salt(), res.findings)

    insp = inspect_workbook(path)
    for p in insp.problems:
        action = "refused" if p.severity == "error" else "kept"
        ctx.add(getattr(p, "sheet", "") or "", None, "", "", action, p.severity, p.message, p.code)
    if not insp.ok:
        res.status = "refused"
        return res, ctx, None
    res.sha256 = _sha256(path)
    return res, ctx, insp


def _read(res: WorkbookResult, ctx: LoadContext, engine: str, insp: Any, ahead: Any = None) -> RawWorkbook | None:
    """The raw grids of a file that passed the safety check (None: refused,
    with a finding).  ``ahead``: a future of ``read.parse_ahead``."""
    try:
        prefetched = ahead.result() if ahead is not None else None
        return read_workbook(res.path, engine=engine, inspection=insp, prefetched=prefetched)
    except ReadError as e:
        ctx.add(
            "",
            None,
            "",
            "",
            "refused",
            "error",
            f"{e.message}。请在 Excel/WPS 中打开确认无误后另存为 .xlsx 重新报送。",
            e.code,
        )
    except Exception as e:  # noqa: BLE001 - a reader bug must not stop the batch
        ctx.add(
            "",
            None,
            "",
            "",
            "refused",
            "error",
            f"读取失败（{type(e).__name__}）。请另存为 .xlsx 后重新报送。",
            "corrupt",
        )
    res.status = "refused"
    return None


def _load_raw(wb: RawWorkbook, res: WorkbookResult, ctx: LoadContext, want_year: int | None) -> None:
    schema = ctx.schema
    assigned = assign_sheets(wb, schema, ctx)
    if not settle_unit_year(wb, assigned, res, ctx, want_year):
        return
    unit, year = ctx.unit, ctx.year
    owners = sheet_owners([(r.name, s.key) for r, s in assigned if s is not None and s.key != "info"])
    tables: dict[str, list[pd.DataFrame]] = {}
    for raw, sheet in assigned:
        if (
            (sheet is None or sheet.key != "info")
            and not (ctx.layout and ctx.layout.for_sheet(raw.name))
            and (sr := summary_header(raw.rows, schema)) is not None
        ):
            read_summary_sheet(raw, sr, sheet, res, ctx)
            continue
        if (
            sheet is not None
            and sheet.key != "info"
            and not raw.visible
            and not hidden_sheet(raw, sheet, assigned, ctx)
        ):
            continue
        if sheet is None:
            unknown_sheet(raw, ctx)
            continue
        if sheet.key == "info":
            continue
        owner = owners.get(raw.name, unit)
        if owner != unit:  # one sheet per 分会 in a 上级工会's workbook
            ctx.add(
                raw.name,
                None,
                "",
                owner,
                "kept",
                "info",
                f"本工作簿按分会分表：工作表“{raw.name}”的记录计入“{owner}”（不是本台账单位“{unit}”）",
                "sheet_unit",
                sheet.key,
                unit=owner,
            )
        ctx.unit = owner
        try:
            df, stats = clean_sheet(raw, sheet, ctx)
        finally:
            ctx.unit = unit
        stats.update(file=res.name, unit=owner, year=year, sheet=raw.name, table=sheet.key)
        res.stats.append(stats)
        if df is not None:
            tables.setdefault(sheet.key, []).append(df)
    for sheet in schema.record_sheets:
        if sheet.key in tables:
            res.tables[sheet.key] = (
                pd.concat(tables[sheet.key], ignore_index=True) if len(tables[sheet.key]) > 1 else tables[sheet.key][0]
            )
        else:
            res.absent_sheets.append(sheet.label)
            if not res.inferred and not any(
                s.get("table") == sheet.key for s in res.stats
            ):  # inferred: said once per unit (assemble)
                ctx.add(
                    "",
                    None,
                    "",
                    "",
                    "kept",
                    "info",
                    f"未报送“{sheet.label}”，视为本年度无此项记录",
                    "sheet_absent",
                    sheet.key,
                )


# --------------------------------------------------------------------------
# many workbooks


def load_ledgers(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    *,
    year: int | None = None,
    engine: str = "calamine",
    registry=None,
    jobs: int = 1,
    layouts: Sequence[Any] = (),
) -> Ledger:
    """Load workbooks and folders of workbooks into one ``Ledger``.

    ``year``: only workbooks of that 年度 are counted (others: an error finding
    each).  ``registry``: maps a unit name as written to its canonical name
    (a ``gonghui_kit.analysis.units.UnitRegistry``, or any callable name → name).  ``jobs`` > 1 reads files in parallel
    processes (fork where available, spawn on Windows).  ``layouts``: layout
    files (``layouts.load_layouts``); a file uses the first whose ``files`` match.
    """
    return load_years_ledgers({year: paths}, engine=engine, registry=registry, jobs=jobs, layouts=layouts)[year]


def load_years_ledgers(
    batches: Mapping[int | None, Iterable[str | os.PathLike] | str | os.PathLike],
    *,
    engine: str = "calamine",
    registry=None,
    jobs: int = 1,
    on_read: Callable[[], Any] | None = None,
    layouts: Sequence[Any] = (),
) -> dict[int | None, Ledger]:
    """:func:`load_ledgers` for several years at once: ``{year: paths}`` →
    ``{year: Ledger}``, every workbook of every year read in one pool (no
    worker waits for the slowest file of a year before the next year
    starts).  Each year gets its own pseudonym salt, as separate calls
    would.  ``on_read`` is called once every workbook is read and the
    pool's processes are gone, before the results are combined here."""
    plans = []
    for year, paths in batches.items():
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        paths = list(paths)
        files, findings = discover(paths)
        roots = [Path(p) for p in paths]
        names = [display_name(f, next((r for r in roots if r.is_dir() and is_under(f, r)), None)) for f in files]
        plans.append((year, files, names, findings, new_salt()))
    args = [
        (f, n, year, engine, salt, layout_for(n, layouts))
        for year, files, names, _, salt in plans
        for f, n in zip(files, names, strict=True)
    ]
    out: dict[int | None, Ledger] = {}
    with _no_gc():
        results = _load_many(args, jobs=jobs)
        if on_read is not None:
            on_read()
        i = 0
        for year, files, _, findings, _ in plans:
            out[year] = assemble(results[i : i + len(files)], findings, registry=registry)
            i += len(files)
    return out


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: loading allocates millions of
    container objects (every row a list) and leaves almost no cycles, so the
    collector's passes over everything alive cost ~10% and find nothing
    (reference counting still frees whatever is not in a cycle at once; the
    collector resumes afterwards)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _load_one(args: tuple) -> WorkbookResult:
    path, name, year, engine, salt, layout = args
    with _no_gc():  # also in a spawned worker
        return load_workbook(path, year=year, engine=engine, name=name, salt=salt, layout=layout)


# a workbook is parsed ahead only up to this many cells (safety's estimate of
# the used ranges): calamine's grids of all its sheets are alive at once then
_AHEAD_MAX_CELLS = 4_000_000


def _load_serial(args: list[tuple]) -> list[WorkbookResult]:
    """Load in order, in this process, overlapping reading and cleaning.

    calamine parses a sheet's XML without holding the GIL.  So once the
    next workbook has passed its safety check (in this thread, as always
    before any parser sees a file), a helper thread parses it while this one
    is cleaned; only turning calamine's grids into Python rows waits for the
    GIL.  Same results and CPU time as one workbook after the other, ~25%
    less elapsed time.
    """
    if len(args) < 2 or any(a[3] != "calamine" for a in args):
        return [_load_one(a) for a in args]
    import concurrent.futures as cf

    from gonghui_kit.ingest.read import parse_ahead

    out: list[WorkbookResult] = []
    with _no_gc(), cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="gonghui-parse") as ex:

        def start(a: tuple) -> tuple[WorkbookResult, LoadContext, Any, Any]:
            path, name, _, _, salt, layout = a
            res, ctx, insp = _inspect(path, name, salt)
            ctx.layout = layout
            ahead = None
            if (
                insp is not None
                and insp.kind in ("xlsx", "xlsm")
                and sum(r * c for r, c in insp.sheet_dims.values()) <= _AHEAD_MAX_CELLS
            ):
                ahead = ex.submit(parse_ahead, res.path)
            return res, ctx, insp, ahead

        nxt = start(args[0])
        for k, (_, _, year, engine, _, _) in enumerate(args):
            res, ctx, insp, ahead = nxt
            wb = _read(res, ctx, engine, insp, ahead) if insp is not None else None
            if k + 1 < len(args):
                nxt = start(args[k + 1])  # parsed while this one is cleaned
            if wb is not None:
                _confirm_read(res, ctx)
                _load_raw(wb, res, ctx, year)
            del wb
            out.append(res)
    return out


def _load_many(args: list[tuple], *, jobs: int) -> list[WorkbookResult]:
    """Load ``(path, name, year, engine, salt, layout)`` workbooks, in order."""
    if jobs <= 1 or len(args) < 4:
        return _load_serial(args)
    import concurrent.futures as cf
    import multiprocessing as mp

    # fork where it exists (workers start warm); spawn elsewhere (Windows)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as ex:
        return list(ex.map(_load_one, args, chunksize=max(1, len(args) // (jobs * 4))))
