"""Settings an admin changes through the API: the order review policy, the company details."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, IfMatchDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.settings import (
    CompanySettingsRead,
    CompanySettingsUpdate,
    ReviewSettingsRead,
    ReviewSettingsUpdate,
)
from app.services.documents.commands import UpdateCompanySettings
from app.services.documents.company import get_company_settings
from app.services.order_review.commands import UpdateReviewSettings
from app.services.order_review.policy import get_review_settings

router = APIRouter(prefix="/api/v1/settings", tags=["settings"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("orders:read"))]
Admin = Annotated[Principal, Depends(requires("admin"))]


@router.get(
    "/review",
    response_model=ReviewSettingsRead,
    status_code=status.HTTP_200_OK,
    summary="Get the review settings",
    responses=problem_responses(401, 403),
)
async def get_review(uow: UowDep, principal: Reader, set_etag: ETagDep) -> ReviewSettingsRead:
    """The order review policy in force; ETag "0" means the defaults, never changed."""
    policy, version = await get_review_settings(uow)
    set_etag(version)
    return ReviewSettingsRead.of(policy, version)


@router.put(
    "/review",
    response_model=ReviewSettingsRead,
    status_code=status.HTTP_200_OK,
    summary="Change the review settings",
    responses=problem_responses(401, 403, 412, 422, 428),
)
async def update_review(
    body: ReviewSettingsUpdate,
    version: IfMatchDep,
    uow: UowDep,
    bus: BusDep,
    principal: Admin,
    set_etag: ETagDep,
) -> ReviewSettingsRead:
    """Change the given settings (thresholds, approvers, rules, release roles). Needs `If-Match`."""
    command = UpdateReviewSettings(
        changes=body.model_dump(exclude_unset=True), expected_version=version, principal=principal
    )
    policy, new_version = await bus.handle(command, uow)
    set_etag(new_version)
    return ReviewSettingsRead.of(policy, new_version)


@router.get(
    "/company",
    response_model=CompanySettingsRead,
    status_code=status.HTTP_200_OK,
    summary="Get the company settings",
    responses=problem_responses(401, 403),
)
async def get_company(uow: UowDep, principal: Admin, set_etag: ETagDep) -> CompanySettingsRead:
    """The company printed documents show: name, address, tax id, phone, bank, logo and the
    default page size. ETag "0" means never set."""
    settings, version = await get_company_settings(uow)
    set_etag(version)
    return CompanySettingsRead.of(settings, version)


@router.put(
    "/company",
    response_model=CompanySettingsRead,
    status_code=status.HTTP_200_OK,
    summary="Change the company settings",
    responses=problem_responses(401, 403, 412, 422, 428),
)
async def update_company(
    body: CompanySettingsUpdate,
    version: IfMatchDep,
    uow: UowDep,
    bus: BusDep,
    principal: Admin,
    set_etag: ETagDep,
) -> CompanySettingsRead:
    """Change the given company settings (null clears one); the logo is a PNG of at most
    512 KiB, checked by its bytes. Needs `If-Match`."""
    command = UpdateCompanySettings(
        changes=body.changes(), expected_version=version, principal=principal
    )
    settings, new_version = await bus.handle(command, uow)
    set_etag(new_version)
    return CompanySettingsRead.of(settings, new_version)
