"""Administration: the invariant check."""

from __future__ import annotations

from pydantic import Field

from app.schemas.common import Schema


class InvariantViolation(Schema):
    warehouse_id: str | None
    product_id: str | None
    order_line_id: str | None = None
    rule: str = Field(
        description="e.g. ledger_mismatch, over_reserved, level_missing, "
        "reservation_ledger_mismatch, line_reservations_mismatch, line_quantities"
    )
    detail: str


class CheckReport(Schema):
    ok: bool = Field(description="True when every invariant holds")
    count: int = Field(description="How many violations were found")
    violations: list[InvariantViolation] = Field(description="The first `limit` of them")
