"""Printed documents: the batch print request and the print options."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import Field, field_validator

from app.domain.notifications.kinds import Language
from app.schemas.common import Schema

MAX_BATCH = 200


class PrintKind(StrEnum):
    PICK_LIST = "pick_list"
    DELIVERY_NOTE = "delivery_note"


class PrintPageSize(StrEnum):
    A4 = "A4"
    LETTER = "Letter"


class DocumentPrint(Schema):
    """Documents of one kind printed into one PDF, in the order of ``ids``."""

    kind: PrintKind = Field(
        description="pick_list (ids of pick lists) or delivery_note (ids of shipments)"
    )
    ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BATCH, description="Each once")
    language: Language | None = Field(
        default=None,
        description="Override: by default pick lists print in zh-CN, delivery notes in the "
        "customer's language",
    )
    page_size: PrintPageSize | None = Field(
        default=None, description="Default: the company's page size (company settings)"
    )

    @field_validator("ids")
    @classmethod
    def _each_once(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(value)) != len(value):
            raise ValueError("each id may be given once")
        return value
