"""Commands of receiving returns and of the quarantine."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.auth import Principal
from app.domain.money import ZERO


@dataclass(frozen=True, kw_only=True)
class InspectedLine:
    return_line_id: uuid.UUID
    restock: Decimal = ZERO
    quarantine: Decimal = ZERO
    scrap: Decimal = ZERO
    difference_reason: str | None = None
    scrap_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReceiveReturn:
    principal: Principal
    return_id: uuid.UUID
    lines: tuple[InspectedLine, ...]


@dataclass(frozen=True, kw_only=True)
class TakeFromQuarantine:
    """Release quarantined goods to stock, or (``scrap``) write them off with a reason."""

    principal: Principal
    return_id: uuid.UUID
    line_id: uuid.UUID
    quantity: Decimal
    scrap: bool = False
    reason: str | None = None
