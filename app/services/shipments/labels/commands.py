"""The commands that buy, retry and void a shipment's label. ``client`` is the application's
pooled HTTP client the carrier is called through (not part of what is asked)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx

from app.domain.auth import Principal
from app.domain.carrier_selection import Preference


@dataclass(frozen=True, kw_only=True)
class BuyLabel:
    """A rate of the last quote: the named carrier (and service), or the best by
    ``preference`` (the quote's own ranking when None)."""

    shipment_id: uuid.UUID
    carrier: str | None = None
    service: str | None = None
    preference: Preference | None = None
    preferred_carrier: str | None = None
    principal: Principal
    client: httpx.AsyncClient = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class RetryPendingLabels:
    """The worker's turn: the pending purchases whose time has come, at most ``limit``."""

    actor: str
    limit: int = 20
    client: httpx.AsyncClient = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class VoidLabel:
    """Void the bought label at the carrier, then forget it on the shipment."""

    shipment_id: uuid.UUID
    principal: Principal
    client: httpx.AsyncClient = field(compare=False, repr=False)
