"""The command that asks the carriers for a shipment's rates (and keeps the answer)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx

from app.domain.carrier_selection import Preference


@dataclass(frozen=True, kw_only=True)
class QuoteRates:
    """Rank by ``preference`` (the customer's when None). ``client`` is the application's
    pooled HTTP client the carriers are called through."""

    shipment_id: uuid.UUID
    preference: Preference | None = None
    preferred_carrier: str | None = None
    client: httpx.AsyncClient = field(compare=False, repr=False)
