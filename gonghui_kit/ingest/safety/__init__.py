"""Pre-flight inspection of a submitted workbook, before any parser opens it.

Ledgers arrive from many hands, so a file is treated as hostile until a
cheap, bounded look at its bytes says a workbook parser can safely open it.
``inspect_workbook`` never runs a workbook parser, never expands XML entities,
never follows a symlink and never raises for a bad file: everything it finds
is a ``Problem`` with a stable ``code``, a ``severity`` and one Chinese line
telling the person who sent the file what to do.

What is checked, by content (magic bytes), never by file extension:

- the path itself: missing, a directory (``x.xlsx/``), a symlink (never
  followed), a pipe or device (opening a FIFO would block), empty, too big;
- OLE2/CFB files: an old ``.xls`` or WPS ``.et`` (a ``Workbook``/``Book``
  stream, with or without a password, followed into the mini stream when
  small), an encrypted ``.xlsx`` (``EncryptionInfo`` +
  ``EncryptedPackage`` streams), a Word/PowerPoint file; found by a small,
  bounded parse of the CFB directory (no dependency);
- anything else that is not a zip: PDF, HTML or XML-2003 "Excel" exports,
  CSV/plain text, images, archives, Windows shortcuts;
- zips: not OOXML (``.docx``, ``.ods``, ``.xlsb``, a plain zip), corrupt
  (truncated, bad CRC, sizes that lie), zip bombs (declared sizes, per-member
  compression ratio, and the bytes actually inflated, which are counted and
  capped while streaming), too many members;
- XML parts: any DTD (``<!DOCTYPE``/``<!ENTITY``, i.e. billion laughs and
  external entities; Excel never writes one) in the prolog of any XML part;
- worksheets: ``<dimension>`` and a bounded streaming scan of every sheet's
  row and cell references, so a missing or lying ``<dimension>`` cannot hide
  4,000,000 rows, a cell at ``XFD1000000`` or rows that are not in order.
  Both calamine and openpyxl allocate the whole used range densely (a sheet
  with ``A1`` and ``XFD1000000`` would need ~16 billion cells), so the range
  (rows × columns) is limited as well as rows and columns;
- macros (``vbaProject.bin``, Excel 4 macro sheets) and external links or
  data connections: reported, never run or followed;
- cell text longer than Excel's 32,767 characters and raw control characters
  (which Excel never writes and openpyxl refuses): reported.

Memory stays bounded (1 MiB chunks; structure parts capped), and time is
linear in the bytes inflated, which are capped by
``Limits.max_uncompressed_bytes``; scans stop as soon as a limit is crossed.
"""

from gonghui_kit.ingest.safety.limits import Limits
from gonghui_kit.ingest.safety.preflight import inspect_workbook
from gonghui_kit.ingest.safety.report import SEVERITIES, Inspection, Problem

__all__ = ["Limits", "Problem", "Inspection", "inspect_workbook", "SEVERITIES"]
