"""Production requests (MO) as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.domain.money import ZERO
from app.domain.production import ProductionSource, ProductionStatus
from app.schemas.common import Code, DecimalOut, Quantity, Schema
from app.services.production.commands import (
    CancelProductionRequest,
    CombineProductionRequests,
    CreateProductionRequest,
    ReportProduction,
    SplitProductionRequest,
    UpdateProductionRequest,
)

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Priority = Annotated[int, Field(ge=-1000, le=1000)]


class ProductionRequestCreate(Schema):
    sku: Code
    quantity: Quantity
    warehouse: Code | None = Field(
        default=None, description="Default: the product's production warehouse"
    )
    due_date: date | None = Field(default=None, description="Default: today plus its lead time")
    priority: Priority = 0
    note: Reason | None = None

    def to_command(self, principal: Principal) -> CreateProductionRequest:
        return CreateProductionRequest(
            principal=principal,
            sku=self.sku,
            quantity=self.quantity,
            warehouse=self.warehouse,
            due_date=self.due_date,
            priority=self.priority,
            note=self.note,
        )


class ProductionRequestUpdate(Schema):
    """A draft's fields; only those given change."""

    quantity: Quantity | None = None
    due_date: date | None = None
    priority: Priority | None = None
    note: Reason | None = None

    def to_command(
        self, principal: Principal, request_id: uuid.UUID, version: int
    ) -> UpdateProductionRequest:
        return UpdateProductionRequest(
            principal=principal,
            request_id=request_id,
            expected_version=version,
            given=frozenset(self.model_fields_set),
            quantity=self.quantity,
            due_date=self.due_date,
            priority=self.priority,
            note=self.note,
        )


class ProductionCancel(Schema):
    reason: Reason

    def to_command(self, principal: Principal, request_id: uuid.UUID) -> CancelProductionRequest:
        return CancelProductionRequest(
            principal=principal, request_id=request_id, reason=self.reason
        )


class ProductionSplit(Schema):
    quantity: Quantity = Field(description="What the new draft takes")

    def to_command(self, principal: Principal, request_id: uuid.UUID) -> SplitProductionRequest:
        return SplitProductionRequest(
            principal=principal, request_id=request_id, quantity=self.quantity
        )


class ProductionCombine(Schema):
    request_ids: list[uuid.UUID] = Field(
        min_length=2, max_length=50, description="Drafts of one product; the first survives"
    )

    def to_command(self, principal: Principal) -> CombineProductionRequests:
        return CombineProductionRequests(principal=principal, request_ids=tuple(self.request_ids))


class ProductionReport(Schema):
    """A planner reports in place of the production system."""

    type: Literal["started", "progress", "completed"]
    completed_quantity: Quantity | None = Field(
        default=None, description="completed: the good quantity made in this report"
    )
    scrapped_quantity: Quantity = ZERO
    expected_finish_date: date | None = None
    over_production_reason: Reason | None = None
    scrap_reason: Reason | None = None

    def to_command(self, principal: Principal, number: str) -> ReportProduction:
        return ReportProduction(
            actor=principal.actor,
            principal=principal,
            request_number=number,
            kind=self.type,
            completed_quantity=self.completed_quantity,
            scrapped_quantity=self.scrapped_quantity,
            expected_finish_date=self.expected_finish_date,
            over_production_reason=self.over_production_reason,
            scrap_reason=self.scrap_reason,
        )


class ProductionWebhookReceipt(Schema):
    status: Literal["accepted", "duplicate"] = Field(
        description="accepted: applied; duplicate: this webhook-id was taken before (nothing "
        "changed)"
    )


class ProductionLinkRead(Schema):
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    quantity: DecimalOut


class ProductionRequestRead(Schema):
    id: uuid.UUID
    number: str = Field(description="MO-YYYY-NNNNNN")
    product_id: uuid.UUID
    sku: str
    warehouse: str
    quantity: DecimalOut
    quantity_completed: DecimalOut
    quantity_scrapped: DecimalOut
    status: ProductionStatus
    source: ProductionSource
    priority: int
    due_date: date
    expected_finish_date: date | None = Field(description="What the production system expects")
    expected_date: date = Field(description="When the goods are expected")
    late: bool
    over_production_reason: str | None
    scrap_reason: str | None
    cancel_reason: str | None
    note: str | None
    delayed_at: datetime | None
    released_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    created_by: str
    version: int
    links: list[ProductionLinkRead] = Field(description="The order lines it makes goods for")
