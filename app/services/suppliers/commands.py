"""Commands of the supplier use cases (contacts as JSON-ready dicts)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateSupplier:
    principal: Principal
    code: str
    name: str
    contacts: list[dict[str, Any]]
    lead_time_days: int
    active: bool


@dataclass(frozen=True, kw_only=True)
class UpdateSupplier:
    """``changes`` holds only the fields given (``contacts`` replaces the stored list)."""

    principal: Principal
    supplier_id: uuid.UUID
    expected_version: int
    changes: Mapping[str, Any]
