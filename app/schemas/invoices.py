"""Invoices (发票): what finance reads and what it asks for."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from app.domain.auth import Principal
from app.domain.billing.invoices import InvoiceStanding, InvoiceStatus, InvoiceType
from app.schemas.common import AmountOut, DecimalOut, Schema
from app.services.billing.commands import InvoiceShipments


class InvoiceLineRead(Schema):
    id: uuid.UUID = Field(description="Credit notes name the line they correct by this id")
    line_no: int
    order_id: uuid.UUID
    order_line_id: uuid.UUID
    shipment_id: uuid.UUID | None
    sku: str
    description: str
    quantity: DecimalOut
    unit_price: AmountOut
    discount_percent: DecimalOut
    tax_rate: DecimalOut
    gross: AmountOut
    discount: AmountOut
    net: AmountOut
    tax: AmountOut
    total: AmountOut


class TaxRateTotal(Schema):
    tax_rate: DecimalOut
    net: AmountOut
    tax: AmountOut
    total: AmountOut


class InvoiceRead(Schema):
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    currency: str
    status: InvoiceStatus
    standing: InvoiceStanding = Field(
        description="Derived: open, partially_paid, paid or overdue for an issued invoice"
    )
    invoice_type: InvoiceType
    source: str = Field(description="on_shipment, on_delivery, periodic or manual")
    period_start: date | None
    period_end: date | None
    issue_date: date | None
    due_date: date | None
    net_total: AmountOut
    tax_total: AmountOut
    total: AmountOut
    amount_paid: AmountOut
    amount_credited: AmountOut
    balance: AmountOut = Field(description="Total less applied payments and credit notes")
    provider_number: str | None
    provider_url: str | None
    issued_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    created_at: datetime
    version: int
    totals_by_rate: list[TaxRateTotal]
    lines: list[InvoiceLineRead]


class InvoiceCreate(Schema):
    """Invoice selected confirmed shipments of one customer (a manual invoice)."""

    shipment_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    invoice_type: InvoiceType | None = Field(
        default=None, description="Default: the customer's invoice type"
    )
    issue: bool = Field(default=True, description="Issue it now, or keep it as a draft")

    def to_command(self, principal: Principal) -> InvoiceShipments:
        return InvoiceShipments(
            principal=principal,
            shipment_ids=tuple(self.shipment_ids),
            invoice_type=self.invoice_type.value if self.invoice_type else None,
            issue=self.issue,
        )
