"""Commands of service cases and delivery feedback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CaseLineRequest:
    order_line_id: uuid.UUID
    quantity: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class OpenCase:
    principal: Principal
    customer_id: uuid.UUID
    kind: str
    subject: str
    description: str
    priority: str = "normal"
    order_id: uuid.UUID | None = None
    shipment_id: uuid.UUID | None = None
    lines: tuple[CaseLineRequest, ...] = ()
    assignee: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class TransitionCase:
    principal: Principal
    case_id: uuid.UUID
    state: str
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class AddCaseMessage:
    """Staff write to the customer (visibility ``customer``) or a note (``internal``)."""

    principal: Principal
    case_id: uuid.UUID
    body: str
    visibility: str = "customer"


@dataclass(frozen=True, kw_only=True)
class OpenCaseFromTracking:
    """A customer opens a case from the shipment's public tracking token."""

    token: str
    kind: str
    subject: str
    description: str


@dataclass(frozen=True, kw_only=True)
class AddCustomerMessage:
    token: str
    case_token: str
    body: str


@dataclass(frozen=True, kw_only=True)
class RateDelivery:
    token: str
    rating: int
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class AttachToCase:
    principal: Principal
    case_id: uuid.UUID
    filename: str
    content_type: str
    data: bytes
    visibility: str = "internal"


@dataclass(frozen=True, kw_only=True)
class UpdateCase:
    """Reassign a case or change its priority (its targets follow). Only the fields named in
    ``given`` change; ``assignee`` None unassigns."""

    principal: Principal
    case_id: uuid.UUID
    expected_version: int
    given: frozenset[str]
    assignee: str | None = None
    priority: str | None = None
