"""How an approved return comes back: its return label (bought from a carrier, downloaded),
and its own-fleet pickup (the same resource as ``app/routers/returns.py``, split by area)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import RedirectResponse

from app.deps import AUTHENTICATED, BusDep, CarrierClientDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.errors import CarrierUnavailable, Conflict
from app.errors import problem_responses
from app.schemas.return_labels import ReturnLabelRequest, ReturnPickupRequest, ReturnShippingRead
from app.services.shipments.return_labels.commands import BuyReturnLabel, ScheduleReturnPickup
from app.services.shipments.return_labels.queries import return_label_document
from app.services.shipments.return_labels.views import ReturnShipping

router = APIRouter(prefix="/api/v1/returns", tags=["returns"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("returns:read"))]
Writer = Annotated[Principal, Depends(requires("returns:write"))]


def shipping_read(view: ReturnShipping) -> ReturnShippingRead:
    r = view.ret
    bought = r.label_status == "purchased"
    return ReturnShippingRead(
        id=r.id,
        number=r.number,
        status=r.status,
        method=r.method,
        carrier=view.carrier_code,
        carrier_service=r.carrier_service,
        tracking_number=r.tracking_number,
        label_status=r.label_status,
        label_price=r.label_price,
        label_currency=view.label_currency,
        label_error=r.label_error,
        label_url=f"/api/v1/returns/{r.id}/label" if bought else None,
        tracking_status=r.tracking_status,
        tracking_status_at=r.tracking_status_at,
        pickup_on=r.pickup_on,
        pickup_window=r.pickup_window,
        pickup_note=r.pickup_note,
    )


@router.post(
    "/{return_id}/label",
    response_model=ReturnShippingRead,
    summary="Buy the return label",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def buy_label(
    return_id: uuid.UUID,
    body: ReturnLabelRequest,
    bus: BusDep,
    uow: UowDep,
    client: CarrierClientDep,
    principal: Writer,
) -> ReturnShippingRead:
    """Buy a carrier's return label for an approved return of method `carrier_label`, from
    the customer's ship-to back to the return's warehouse, with an idempotency key kept on the
    return (a retry never buys two labels). 409 `return_not_approved` or
    `wrong_return_method`; 422 `no_return_labels` for an own-fleet carrier (schedule a pickup)
    or `not_offered` for a service the carrier does not offer; 409 `label_refused` when the
    carrier refused (the label is `failed`: buy another); 503 `carrier_unavailable` when it
    could not be reached or its answer was lost (the label stays `pending` with the reason:
    call again to retry with the same key). Buying again once purchased changes nothing."""
    command = BuyReturnLabel(
        return_id=return_id,
        carrier=body.carrier,
        service=body.service,
        principal=principal,
        client=client,
    )
    view: ReturnShipping = await bus.handle(command, uow)
    if view.ret.label_status == "pending":
        raise CarrierUnavailable(
            f"The carrier could not sell the return label now: {view.ret.label_error}"
        )
    if view.ret.label_status == "failed":
        raise Conflict(
            f"The carrier refused the return label: {view.ret.label_error}", code="label_refused"
        )
    return shipping_read(view)


@router.get(
    "/{return_id}/label",
    response_class=Response,
    summary="Download the return label",
    responses={
        200: {
            "description": "The label document, in the carrier's format",
            "content": {"application/pdf": {}, "image/png": {}, "text/plain": {}},
        },
        307: {"description": "The carrier hosts the label: redirect to it"},
        **problem_responses(401, 403, 404),
    },
)
async def download_label(return_id: uuid.UUID, uow: UowDep, principal: Reader) -> Response:
    """The bought return label (404 before); carriers that host their labels (EasyPost)
    answer a redirect to it."""
    content_type, document = await return_label_document(uow, return_id)
    if content_type == "text/uri-list":
        return RedirectResponse(document.decode().strip(), status_code=307)
    return Response(content=document, media_type=content_type)


@router.post(
    "/{return_id}/pickup",
    response_model=ReturnShippingRead,
    summary="Schedule the return's pickup",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def schedule_pickup(
    return_id: uuid.UUID, body: ReturnPickupRequest, bus: BusDep, uow: UowDep, principal: Writer
) -> ReturnShippingRead:
    """The own fleet collects an approved return of method `pickup` on `date` (today or
    later, 422 `not_in_past`), in `window` (`HH:MM-HH:MM`, 422 `time_range`); scheduling again
    moves it. 409 `return_not_approved` or `wrong_return_method`. An action: no If-Match."""
    command = ScheduleReturnPickup(
        return_id=return_id,
        on=body.date,
        window=body.window,
        note=body.note,
        principal=principal,
    )
    return shipping_read(await bus.handle(command, uow))
