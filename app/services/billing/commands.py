"""Commands of the billing use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class InvoiceShipments:
    """Invoice selected confirmed shipments of one customer now (a manual invoice)."""

    principal: Principal
    shipment_ids: tuple[uuid.UUID, ...]
    invoice_type: str | None = None
    issue: bool = True


@dataclass(frozen=True, kw_only=True)
class IssueInvoice:
    principal: Principal
    invoice_id: uuid.UUID
    expected_version: int | None = None
