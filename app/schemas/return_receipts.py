"""Receiving returned goods and the quarantine, as the API takes and shows them."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from app.domain.auth import Principal
from app.domain.money import ZERO
from app.schemas.common import DecimalOut, Quantity, Schema
from app.services.after_sales.receiving.commands import (
    InspectedLine,
    ReceiveReturn,
    TakeFromQuarantine,
)

Reason = Annotated[str, Field(max_length=500)]


class ReturnReceiptLine(Schema):
    return_line_id: uuid.UUID
    restock: Quantity = Field(default=ZERO, description="Back on hand, available again")
    quarantine: Quantity = Field(default=ZERO, description="Held apart, not available")
    scrap: Quantity = Field(default=ZERO, description="Written off (scrap_reason required)")
    difference_reason: Reason | None = Field(
        default=None, description="Why more arrived than was requested (required then)"
    )
    scrap_reason: Reason | None = None


class ReturnReceive(Schema):
    """What arrived of each return line and how it was inspected; a line left out arrived
    with nothing."""

    lines: list[ReturnReceiptLine] = Field(min_length=1, max_length=200)

    def to_command(self, principal: Principal, return_id: uuid.UUID) -> ReceiveReturn:
        return ReceiveReturn(
            principal=principal,
            return_id=return_id,
            lines=tuple(InspectedLine(**x.model_dump()) for x in self.lines),
        )


class QuarantineTake(Schema):
    quantity: Quantity
    reason: Reason | None = Field(default=None, description="Required to scrap")

    def to_command(
        self, principal: Principal, return_id: uuid.UUID, line_id: uuid.UUID, *, scrap: bool
    ) -> TakeFromQuarantine:
        return TakeFromQuarantine(
            principal=principal,
            return_id=return_id,
            line_id=line_id,
            quantity=self.quantity,
            scrap=scrap,
            reason=self.reason,
        )


class QuarantinedRead(Schema):
    return_id: uuid.UUID
    return_number: str
    return_line_id: uuid.UUID
    sku: str
    warehouse: str
    held: DecimalOut
