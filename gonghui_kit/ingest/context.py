"""The state one workbook's load carries from stage to stage: its file name,
unit and year once known, the schema, the pseudonym salt, the layout, and the
findings said so far (``LoadContext.add`` appends one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gonghui_kit.ingest.findings import Finding, show_value
from gonghui_kit.schema import Schema


@dataclass
class LoadContext:
    """One workbook being loaded: what its findings are stamped with, and where they go."""

    file: str
    unit: str | None
    year: int | None
    schema: Schema
    salt: bytes
    findings: list[Finding]
    layout: Any = None  # layouts.Layout of this file, if any

    def add(
        self,
        sheet: str,
        row: int | None,
        column: str,
        value: Any,
        action: str,
        severity: str,
        message: str,
        code: str,
        table: str | None = None,
        unit: str | None = None,
        col: int | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                self.file,
                sheet,
                row,
                column,
                show_value(value),
                action,
                severity,
                message,
                code,
                unit or self.unit,
                self.year,
                table,
                col,
            )
        )
