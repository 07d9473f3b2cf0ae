"""Resolving a received return — refund, replacement, exchange — as the API takes and shows it."""

from __future__ import annotations

import uuid

from pydantic import ConfigDict, Field

from app.domain.auth import Principal
from app.domain.billing.settlement import PaymentMethod
from app.schemas.common import AmountOut, Schema
from app.schemas.order_reads import OrderRead
from app.schemas.payments import Amount, Reference
from app.schemas.returns import ReturnRead
from app.services.billing.return_commands import RefundReturn


class ReturnRefund(Schema):
    """How what the customer paid for the returned goods goes back."""

    amount: Amount | None = Field(
        default=None,
        description="Default: all that was paid for the goods (their credit less what the "
        "invoice still owed); never more",
    )
    method: PaymentMethod | None = Field(
        default=None, description="Default: the method the order was paid with"
    )
    reference: Reference | None = None
    keep_as_credit: bool = Field(
        default=False, description="Pay nothing back: the credit stays the customer's"
    )

    def to_command(self, principal: Principal, return_id: uuid.UUID) -> RefundReturn:
        return RefundReturn(
            principal=principal,
            return_id=return_id,
            amount=self.amount,
            method=self.method,
            reference=self.reference,
            keep_as_credit=self.keep_as_credit,
        )


class ReturnResolutionRead(Schema):
    """A return resolved with a new order: the return and the replacement or exchange order."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    return_: ReturnRead = Field(alias="return")
    order: OrderRead
    price_difference: AmountOut | None = Field(
        description="An exchange's new order total less the returned goods' credit: above zero "
        "invoiced to the customer, below zero left as their credit; null for a replacement"
    )
