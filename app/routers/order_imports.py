"""Batch order import (EDI-style): CSV or JSON Lines, up to 10,000 orders a request."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, status

from app.deps import AUTHENTICATED, BusDep, SettingsDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.errors import RuleViolation
from app.errors import problem_responses
from app.schemas.order_imports import ImportRead, ImportResult, ImportRowResult, ImportSummary
from app.schemas.orders import read_order
from app.services.orders import importing
from app.services.orders.commands import ImportOrders
from app.uploads import receive_file

router = APIRouter(prefix="/api/v1/orders/imports", tags=["orders"], dependencies=AUTHENTICATED)
Writer = Annotated[Principal, Depends(requires("orders:write"))]
Reader = Annotated[Principal, Depends(requires("orders:read"))]

FORMATS = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
}
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
FILE = {"type": "string", "format": "binary"}
BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "CSV (one row per order line; columns external_ref, customer_code, sku, "
        "quantity, and optionally unit_price, discount_percent, requested_delivery_date, "
        "currency, priority, notes, ship_to_id; the rows of an order stand together) or JSON "
        "Lines (one order per line, as in POST /orders), as the `file` part of a form: its "
        "media type, or else its name's .csv/.jsonl/.ndjson, tells which. The file may also "
        "be sent as the body itself, as `text/csv` or `application/x-ndjson` (left out here: "
        "client generators cannot produce raw text bodies).",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "title": "OrderImportUpload",
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": FILE},
                }
            },
        },
    }
}


def _format(media_type: str, filename: str | None) -> str:
    fmt = FORMATS.get(media_type)
    if fmt is None and filename:
        fmt = EXTENSIONS.get(PurePath(filename).suffix.lower())
    if fmt is None:
        raise RuleViolation.on(
            "header.content-type",
            "media_type",
            "Send text/csv or application/x-ndjson, as the body or as a form's file part.",
        )
    return fmt


@router.post(
    "",
    response_model=ImportResult,
    status_code=status.HTTP_201_CREATED,
    summary="Import orders from CSV or JSON Lines",
    openapi_extra=BODY_DOC,
    responses=problem_responses(401, 403, 413, 415, 422),
)
async def import_(
    request: Request,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    settings: SettingsDep,
    charset: Annotated[
        str | None,
        Query(description="utf-8, gb18030 or gbk; detected when left out (BOM, UTF-8, GB18030)"),
    ] = None,
    channel: Annotated[Literal["import", "edi"], Query()] = "import",
    submit: Annotated[bool, Query(description="Submit each order at once")] = False,
) -> ImportResult:
    """Create many orders: per-row results; a bad order never blocks the good ones."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "multipart/form-data":
        _format(media_type, None)  # refuse a wrong body before reading it
    received = await receive_file(request, max_bytes=settings.import_max_bytes)
    upload = received.upload
    try:
        command = ImportOrders(
            principal=principal,
            upload=upload.file,
            fmt=_format(received.media_type, received.filename),
            charset=charset,
            detected_utf8=upload.valid_utf8,
            starts_with_bom=upload.starts_with_bom,
            channel=channel,
            submit=submit,
            read_order=read_order,
        )
        outcome: importing.ImportOutcome = await bus.handle(command, uow)
    finally:
        upload.file.close()
    return ImportResult(
        summary=ImportSummary.model_validate(outcome.record),
        results=[ImportRowResult.model_validate(r, from_attributes=True) for r in outcome.results],
    )


@router.get(
    "/{import_id}",
    response_model=ImportRead,
    summary="Get an import's summary",
    responses=problem_responses(401, 403, 404),
)
async def get_import(import_id: uuid.UUID, uow: UowDep, principal: Reader) -> ImportRead:
    """The stored summary of an import, with its first errors."""
    return ImportRead.model_validate(await importing.get_import(uow, import_id))
