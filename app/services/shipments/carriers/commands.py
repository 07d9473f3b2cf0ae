"""The commands that change carriers' master data.

Column values are plain values as stored (JSON columns as JSON, numbers as ``Decimal``, the
secret in clear — hence kept out of ``repr``). ``guard`` is the application's outbound URL
rule, the port an endpoint is checked through (tests replace its resolver)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.adapters.outbound import OutboundGuard
from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateCarrier:
    """Every column of the new carrier, defaults included (``webhooks`` None: whenever its
    adapter takes webhooks)."""

    columns: Mapping[str, Any] = field(repr=False)
    principal: Principal
    guard: OutboundGuard = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class UpdateCarrier:
    """The columns given, and only those (``credentials`` None removes the secret)."""

    carrier_id: uuid.UUID
    changes: Mapping[str, Any] = field(repr=False)
    expected_version: int
    principal: Principal
    guard: OutboundGuard = field(compare=False, repr=False)
