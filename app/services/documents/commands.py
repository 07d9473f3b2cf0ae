"""The commands of printed documents; ``app/wiring/documents.py`` maps each to its handler."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class UpdateCompanySettings:
    """Merge ``changes`` (field → value; None clears it) into the company settings, which
    must be at ``expected_version`` (0: never set)."""

    changes: Mapping[str, Any]
    expected_version: int
    principal: Principal
