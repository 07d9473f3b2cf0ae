"""Commands of credit notes and of voiding an invoice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreditLine:
    """``quantity`` returned (returned goods) or ``amount`` net (an adjustment or discount)."""

    invoice_line_id: uuid.UUID
    quantity: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class CreateCreditNote:
    principal: Principal
    invoice_id: uuid.UUID
    reason: str
    note: str | None
    lines: tuple[CreditLine, ...]
    apply: bool = True
    idempotency_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class ApplyCreditNote:
    """Apply part of a credit note to another open invoice of the same customer."""

    principal: Principal
    credit_note_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class VoidInvoice:
    principal: Principal
    invoice_id: uuid.UUID
    reason: str
    expected_version: int | None = None
