"""Carriers (master data for shipping) and carrier selection for a shipment's facts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import (
    AUTHENTICATED,
    BusDep,
    ETagDep,
    IfMatchDep,
    OutboundGuardDep,
    PageDep,
    SettingsDep,
    UowDep,
    requires,
)
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.carriers import (
    CarrierChoiceRead,
    CarrierCreate,
    CarrierExclusionRead,
    CarrierRead,
    CarrierSelectionRead,
    CarrierSelectionRequest,
    CarrierUpdate,
)
from app.schemas.common import Page
from app.services.shipments.carriers.commands import CreateCarrier, UpdateCarrier
from app.services.shipments.carriers.queries import get_carrier, list_carriers
from app.services.shipments.carriers.selection import SelectionRequest, select_for_shipment

router = APIRouter(prefix="/api/v1/carriers", tags=["carriers"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("warehouses:read"))]
Writer = Annotated[Principal, Depends(requires("warehouses:write"))]


@router.post(
    "",
    response_model=CarrierRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a carrier",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: CarrierCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    guard: OutboundGuardDep,
    set_etag: ETagDep,
) -> CarrierRead:
    """Create a carrier; its code is unique, its endpoint https (not a private address) and
    its credentials are never returned."""
    command = CreateCarrier(columns=body.columns(), principal=principal, guard=guard)
    carrier = await bus.handle(command, uow)
    set_etag(carrier.version)
    return CarrierRead.model_validate(carrier)


@router.get(
    "",
    response_model=Page[CarrierRead],
    summary="List carriers",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Code or name contains")] = None,
) -> Page[CarrierRead]:
    """Carriers by code, filtered by active flag and text."""
    result = await list_carriers(uow, active=active, q=q, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[CarrierRead.model_validate(c) for c in result.items],
        next_cursor=result.next_cursor,
    )


@router.post(
    "/select",
    response_model=CarrierSelectionRead,
    status_code=status.HTTP_200_OK,
    summary="Select carriers for a shipment",
    responses=problem_responses(401, 403, 422),
)
async def select(
    body: CarrierSelectionRequest, uow: UowDep, principal: Reader, settings: SettingsDep
) -> CarrierSelectionRead:
    """Eligible carriers ranked by the preference, and why every other carrier is excluded."""
    selection = await select_for_shipment(
        uow,
        _selection_request(body),
        now=datetime.now().astimezone(),
        reporting_currency=settings.reporting_currency,
    )
    return CarrierSelectionRead(
        choices=[
            CarrierChoiceRead(
                carrier_code=choice.quote.carrier_code,
                zone=choice.quote.zone,
                price=choice.quote.price,
                currency=choice.quote.currency,
                ship_date=choice.quote.ship_date,
                transit_days=choice.quote.transit_days,
                promised_date=choice.quote.promised_date,
                converted_price=choice.converted_price,
                reporting_currency=settings.reporting_currency,
                reason=choice.reason,
            )
            for choice in selection.choices
        ],
        exclusions=[
            CarrierExclusionRead(carrier_code=e.carrier_code, reason=e.reason, detail=e.detail)
            for e in selection.exclusions
        ],
    )


def _selection_request(body: CarrierSelectionRequest) -> SelectionRequest:
    return SelectionRequest(
        country=body.destination.country,
        region=body.destination.region,
        weight_kg=body.weight_kg,
        goods_classes=frozenset(body.goods_classes),
        deliver_by=body.deliver_by,
        ship_at=body.ship_at,
        preference=body.preference,
        preferred_carrier=body.preferred_carrier,
    )


@router.get(
    "/{carrier_id}",
    response_model=CarrierRead,
    summary="Get a carrier",
    responses=problem_responses(401, 403, 404),
)
async def get(
    carrier_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> CarrierRead:
    """One carrier; the ETag header carries its version for a later update."""
    carrier = await get_carrier(uow, carrier_id)
    set_etag(carrier.version)
    return CarrierRead.model_validate(carrier)


@router.patch(
    "/{carrier_id}",
    response_model=CarrierRead,
    summary="Update or deactivate a carrier",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    carrier_id: uuid.UUID,
    body: CarrierUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    guard: OutboundGuardDep,
    set_etag: ETagDep,
) -> CarrierRead:
    """Change the given fields; `active: false` deactivates; `credentials` replaces the
    secret (null removes it); a new `endpoint` needs admin and removes the stored credentials
    unless new ones come with it. Needs `If-Match`."""
    command = UpdateCarrier(
        carrier_id=carrier_id,
        changes=body.changes(),
        expected_version=version,
        principal=principal,
        guard=guard,
    )
    carrier = await bus.handle(command, uow)
    set_etag(carrier.version)
    return CarrierRead.model_validate(carrier)
