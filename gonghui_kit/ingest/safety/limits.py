"""The numeric limits a submitted workbook must stay within: one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What a submitted workbook may contain before it is refused."""

    max_file_bytes: int = 200 * 2**20
    max_rows: int = 1_048_576  # Excel's own limit: a sheet beyond it is not from Excel
    max_cols: int = 16_384  # Excel's own limit (column XFD)
    max_uncompressed_bytes: int = 1 * 2**30  # sum over zip members, declared and actually inflated
    max_ratio: float = 200.0  # compression ratio of one member (zip bomb) ...
    bomb_min_bytes: int = 10 * 2**20  # ... counted only for members bigger than this
    max_cell_chars: int = 32_767  # Excel's own cell limit
    max_sheet_rows_default: int = 1_000_000  # our stated limit for one sheet
    # calamine and openpyxl build the used range densely: rows × columns cells
    # (calamine: ~32 bytes each, before Python objects)
    max_sheet_cells: int = 20_000_000
    # ... and summed over all sheets: readers keep every sheet's grid at once
    # (8 sparse sheets of 20 million cells each would need ~2.5 GB)
    max_workbook_cells: int = 40_000_000
    max_members: int = 10_000  # zip entries (each costs memory in any zip reader)


DEFAULT_LIMITS = Limits()
