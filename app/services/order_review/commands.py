"""The commands of order review: decisions people take on orders, and the review settings.

Routers build them from the request bodies; ``app/bootstrap.py`` maps each to its handler.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal
from app.domain.payments import PaymentReport


@dataclass(frozen=True, kw_only=True)
class ApproveOrder:
    """Give the next approval of the order's chain."""

    order_id: uuid.UUID
    comment: str | None = None
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class RejectOrder:
    """Refuse an order waiting for approval or on hold, for good."""

    order_id: uuid.UUID
    reason: str
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class HoldOrder:
    """Put a manual hold on a submitted order."""

    order_id: uuid.UUID
    reason: str
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class ReleaseHold:
    """Release one hold (``code``; the only one when None)."""

    order_id: uuid.UUID
    code: str | None = None
    reason: str
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class UpdatePayment:
    """Report the payment as it stands: the amount paid or authorised so far (not an
    increment), in the order's currency (None: the order's)."""

    order_id: uuid.UUID
    status: PaymentReport
    reference: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class UpdateReviewSettings:
    """Merge ``changes`` (field name → value, as the API gives them) into the review policy
    in force, which must be at ``expected_version``."""

    changes: Mapping[str, Any]
    expected_version: int
    principal: Principal
