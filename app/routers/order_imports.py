"""Batch order import (EDI-style): CSV or JSON Lines, up to 10,000 orders a request."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, status

from app.deps import AUTHENTICATED, SettingsDep, UowDep, UowFactoryDep, requires
from app.domain.auth import Principal
from app.domain.errors import RuleViolation
from app.errors import problem_responses
from app.schemas.order_imports import ImportRead, ImportResult, ImportRowResult, ImportSummary
from app.services import order_import as service
from app.uploads import spool

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
BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "CSV (one row per order line; columns external_ref, customer_code, sku, "
        "quantity, and optionally unit_price, discount_percent, requested_delivery_date, "
        "currency, priority, notes, ship_to_id; the rows of an order stand together) or JSON "
        "Lines (one order per line, as in POST /orders).",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


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
    uow_factory: UowFactoryDep,
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
    fmt = FORMATS.get(media_type)
    if fmt is None:
        raise RuleViolation.on(
            "header.content-type", "media_type", "Send text/csv or application/x-ndjson."
        )
    upload = await spool(request.stream(), max_bytes=settings.import_max_bytes)
    try:
        outcome = await service.OrderImporter(uow_factory, principal, settings).run(
            upload.file,
            fmt=fmt,
            charset=charset,
            detected_utf8=upload.valid_utf8,
            starts_with_bom=upload.starts_with_bom,
            channel=channel,
            submit=submit,
        )
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
    return ImportRead.model_validate(await service.get_import(uow, import_id))
