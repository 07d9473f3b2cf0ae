"""A report's rows as CSV (UTF-8 with a byte order mark, so spreadsheet programs read the
Chinese right) or as an XLSX workbook (XlsxWriter, rows streamed)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str) -> bytes:
    """Numbers as numbers (decimals written as their float value for the spreadsheet only),
    dates as text in ISO form."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, list(header), bold)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, [_xlsx(v) for v in row])
    book.close()
    return buffer.getvalue()


def _xlsx(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return _cell(value)
