"""The command of refunding a received return."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.auth import Principal
from app.domain.billing.settlement import PaymentMethod


@dataclass(frozen=True, kw_only=True)
class RefundReturn:
    """Credit what arrived and pay back what was paid for it: ``amount`` (default all of it)
    by ``method`` (default the order's own payment's), or with ``keep_as_credit`` leave it
    as the customer's credit."""

    principal: Principal
    return_id: uuid.UUID
    amount: Decimal | None = None
    method: PaymentMethod | None = None
    reference: str | None = None
    keep_as_credit: bool = False
