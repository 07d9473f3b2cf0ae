"""Sales orders as they come in: create, update, cancel, short-close (how the API shows them:
``app.schemas.order_reads``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from app.domain.auth import Principal
from app.domain.errors import FieldIssue, RuleViolation
from app.domain.limits import numeric_max
from app.domain.orders import (
    Channel,
    RequestedLine,
)
from app.domain.payments import PaymentReport
from app.schemas.common import (
    CurrencyCode,
    Schema,
    ShipToAddress,
)
from app.schemas.patch import Patch
from app.services.orders.commands import (
    CustomerRef as CustomerRefValue,
)
from app.services.orders.commands import (
    EditOrder,
    GivenPayment,
    PlaceOrder,
)
from app.settings import get_settings

PositiveQuantity = Annotated[
    Decimal, Field(gt=0, max_digits=18, decimal_places=3, le=numeric_max(18, 3))
]
# LADING_ORDER_MAX_LINES of this process, in the schema: the OpenAPI document states it, and a
# longer list is refused as soon as it passes the limit, before the rest of it is validated.
# (The service checks the setting of the app it runs in as well.)
MAX_LINES = get_settings().order_max_lines
UnitPrice = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4, le=numeric_max(18, 4))]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


class OrderLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: PositiveQuantity
    unit_price: UnitPrice | None = Field(
        default=None, description="Override of the resolved price; needs orders:price-override"
    )
    discount_percent: Percent = Decimal(0)

    def to_value(self) -> RequestedLine:
        return RequestedLine(self.sku, self.quantity, self.unit_price, self.discount_percent)


PaymentAmount = Annotated[
    Decimal, Field(ge=0, max_digits=18, decimal_places=4, le=numeric_max(18, 4))
]


class PaymentIn(Schema):
    """A payment given with a new order (orders:payment, prepaid channels only); paid or
    authorised, it must cover the order total."""

    status: PaymentReport
    reference: str | None = Field(default=None, max_length=100)
    amount: PaymentAmount | None = Field(
        default=None, description="Paid or authorised so far; required unless unpaid"
    )
    currency: CurrencyCode | None = Field(
        default=None, description="Must be the order's currency; default: the order's"
    )

    def to_value(self) -> GivenPayment:
        return GivenPayment(
            status=self.status, reference=self.reference, amount=self.amount, currency=self.currency
        )


class CustomerRef(Schema):
    """The customer, by id or by code (exactly one)."""

    id: uuid.UUID | None = None
    code: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_of(self) -> CustomerRef:
        if (self.id is None) == (self.code is None):
            raise ValueError("give exactly one of id or code")
        return self

    def to_value(self) -> CustomerRefValue:
        return CustomerRefValue(id=self.id, code=self.code)


class OrderCreate(Schema):
    channel: Channel
    external_ref: str | None = Field(default=None, min_length=1, max_length=100)
    customer: CustomerRef
    ship_to: ShipToAddress | None = Field(
        default=None, description="Delivery address; default: the customer's default ship-to"
    )
    ship_to_id: str | None = Field(default=None, description="One of the customer's ship-tos")
    requested_delivery_date: date | None = None
    currency: CurrencyCode | None = Field(default=None, description="Default: the customer's")
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)
    discount_percent: Percent = Decimal(0)
    payment: PaymentIn | None = None
    priority: int = Field(default=0, ge=0, le=9)
    notes: str | None = Field(default=None, max_length=2000)
    submit: bool = Field(default=False, description="Submit at once (what a storefront does)")

    def to_command(self, principal: Principal, idempotency_key: str | None) -> PlaceOrder:
        return PlaceOrder(
            principal=principal,
            idempotency_key=idempotency_key,
            channel=self.channel,
            external_ref=self.external_ref,
            customer=self.customer.to_value(),
            ship_to=self.ship_to.model_dump(exclude_none=True) if self.ship_to else None,
            ship_to_id=self.ship_to_id,
            requested_delivery_date=self.requested_delivery_date,
            currency=self.currency,
            lines=tuple(x.to_value() for x in self.lines),
            discount_percent=self.discount_percent,
            payment=self.payment.to_value() if self.payment else None,
            priority=self.priority,
            notes=self.notes,
            submit=self.submit,
        )


def read_order(document: Mapping[str, Any], principal: Principal) -> PlaceOrder:
    """An imported order document (a JSON Lines line, a CSV order's rows) as the command
    ``POST /orders`` would send: validated as that body is, every problem named by its field."""
    try:
        body = OrderCreate.model_validate(document)
    except ValidationError as exc:
        issues = [
            FieldIssue(".".join(str(p) for p in e["loc"]), e["type"], e["msg"])
            for e in exc.errors()
        ]
        raise RuleViolation("The order is not valid.", issues=issues) from exc
    return body.to_command(principal, idempotency_key=None)


class OrderUpdate(Schema):
    """Edit a draft: any given field is replaced; `lines`, when given, replaces every line.
    `requested_delivery_date` and `notes` may be cleared with null."""

    ship_to: Patch[ShipToAddress] = None
    ship_to_id: Patch[str] = None
    requested_delivery_date: date | None = None
    lines: Patch[Annotated[list[OrderLineIn], Field(min_length=1, max_length=MAX_LINES)]] = None
    discount_percent: Patch[Percent] = None
    priority: Patch[Annotated[int, Field(ge=0, le=9)]] = None
    notes: str | None = Field(default=None, max_length=2000)

    def to_command(
        self, order_id: uuid.UUID, expected_version: int, principal: Principal
    ) -> EditOrder:
        return EditOrder(
            principal=principal,
            order_id=order_id,
            expected_version=expected_version,
            given=frozenset(self.model_fields_set),
            ship_to=self.ship_to.model_dump(exclude_none=True) if self.ship_to else None,
            ship_to_id=self.ship_to_id,
            requested_delivery_date=self.requested_delivery_date,
            lines=tuple(x.to_value() for x in self.lines) if self.lines is not None else None,
            discount_percent=self.discount_percent,
            priority=self.priority,
            notes=self.notes,
        )


class OrderCancel(Schema):
    reason: str = Field(min_length=1, max_length=500)


class OrderShortClose(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why the rest will not ship")
