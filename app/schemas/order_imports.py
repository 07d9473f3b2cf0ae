"""Batch order import: the answer with per-row results, and the stored summary."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from app.schemas.common import FieldError


class ImportRowResult(BaseModel):
    row: int
    external_ref: str | None
    status: str
    order_id: str | None = None
    number: str | None = None
    errors: list[FieldError] = []


class ImportSummary(BaseModel):
    model_config = {"from_attributes": True}

    id: uuid.UUID
    format: str
    charset: str
    channel: str
    status: str
    orders_total: int
    created: int
    duplicates: int
    errors: int
    created_by: str
    created_at: datetime
    finished_at: datetime | None


class ImportRead(ImportSummary):
    error_details: list[dict[str, object]]


class ImportResult(BaseModel):
    summary: ImportSummary
    results: list[ImportRowResult]
