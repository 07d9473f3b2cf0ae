"""What every report route shares: the range, grouping, top, currency, format and language
parameters, the documented export responses, and writing a report's table as CSV or XLSX
(Chinese headers for zh-CN callers)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query
from fastapi.responses import Response

from app.deps import requires
from app.domain.auth import Principal
from app.domain.reports.headers import headers, wants_chinese
from app.services.reports.export import CSV, XLSX, to_csv, to_xlsx

OrderReader = Annotated[Principal, Depends(requires("orders:read"))]
StockReader = Annotated[Principal, Depends(requires("stock:read"))]
EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)

From = Annotated[date, Query(alias="from", ge=EARLIEST, le=LATEST, description="First day")]
To = Annotated[date, Query(ge=EARLIEST, le=LATEST, description="Last day (included)")]
GroupBy = Annotated[str, Query(max_length=16, description="day, week (ISO, Monday) or month")]
Top = Annotated[
    int | None,
    Query(ge=1, le=1000, description="Keep the best N keys by `metric` (default 50; stock 100)"),
]
Currency = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Z]{3}$",
        description="Reporting currency (converted with the exchange rates); omit for per currency",
    ),
]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="json, csv or xlsx")]
Language = Annotated[str | None, Header(max_length=200)]
EXPORTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report (JSON), or its rows as CSV or XLSX with `format`",
        "content": {CSV.split(";")[0]: {}, XLSX: {}},
    }
}


def export(
    kind: str,
    fmt: str,
    language: str | None,
    table: tuple[list[str], list[list[Any]]],
    chinese: Mapping[str, str] | None = None,
) -> Response:
    """The table as a CSV or XLSX download; ``chinese``: this report's own header names (over
    the shared ones of ``app.domain.reports.headers``)."""
    columns, rows = table
    header = headers(columns, wants_chinese(language), chinese)
    disposition = {"Content-Disposition": f'attachment; filename="{kind}.{fmt}"'}
    if fmt == "csv":
        return Response(to_csv(header, rows), media_type=CSV, headers=disposition)
    return Response(to_xlsx(header, rows, kind), media_type=XLSX, headers=disposition)
