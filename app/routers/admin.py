"""Administration: verify the invariants across the whole database."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.deps import AUTHENTICATED, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.admin import CheckReport, InvariantViolation
from app.services.check import check_invariants

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=AUTHENTICATED)
Admin = Annotated[Principal, Depends(requires("admin"))]


@router.get(
    "/check",
    response_model=CheckReport,
    summary="Check the invariants",
    responses=problem_responses(401, 403, 422),
)
async def check(
    uow: UowDep,
    principal: Admin,
    limit: Annotated[int, Query(ge=1, le=10000, description="Violations to return")] = 1000,
) -> CheckReport:
    """What `lading check` reports: every stock level that disagrees with its ledger or bounds."""
    violations = await check_invariants(uow)
    return CheckReport(
        ok=not violations,
        count=len(violations),
        violations=[InvariantViolation.model_validate(v) for v in violations[:limit]],
    )
