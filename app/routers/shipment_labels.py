"""Rates and labels of a shipment: quote, buy, cancel and download (the same resource as
``app/routers/shipments.py``, split for size)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from fastapi.responses import RedirectResponse

from app.deps import (
    AUTHENTICATED,
    BusDep,
    CarrierClientDep,
    UowDep,
)
from app.domain.errors import Conflict
from app.errors import problem_responses
from app.routers.shipments import Reader, Writer
from app.schemas.shipment_reads import shipment_read
from app.schemas.shipments import (
    LabelRequest,
    RatesRead,
    RatesRequest,
    ShipmentRead,
)
from app.services.shipments.labels.commands import BuyLabel, VoidLabel
from app.services.shipments.labels.queries import label_document
from app.services.shipments.rates.commands import QuoteRates
from app.services.shipments.rates.quote import Quote
from app.services.shipments.views import ShipmentView

router = APIRouter(prefix="/api/v1/shipments", tags=["shipments"], dependencies=AUTHENTICATED)


@router.post(
    "/{shipment_id}/rates",
    response_model=RatesRead,
    summary="Ask the carriers for rates",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def rates(
    shipment_id: uuid.UUID,
    body: RatesRequest,
    bus: BusDep,
    uow: UowDep,
    client: CarrierClientDep,
    principal: Writer,
) -> RatesRead:
    """Every eligible carrier (or the shipment's own carrier) is asked at once, each under its
    own deadline; a carrier that fails or times out is listed in `failures` and the others'
    rates still come back. The answer is kept as the shipment's last quote, which
    `POST .../label` buys from. 409 `not_ready` once the shipment left."""
    command = QuoteRates(
        shipment_id=shipment_id,
        preference=body.preference,
        preferred_carrier=body.preferred_carrier,
        client=client,
    )
    quote: Quote = await bus.handle(command, uow)
    shown = ("carrier", "provider", "service", "price", "currency", "promised_date")
    ranked = (*shown, "converted_price", "reporting_currency")
    return RatesRead.model_validate(
        {
            "shipment_id": shipment_id,
            "quoted_at": quote.quoted_at,
            "preference": quote.preference,
            "preferred_carrier": quote.preferred_carrier,
            "rates": [{k: r[k] for k in ranked} for r in quote.rates],
            "unranked": [{k: r[k] for k in (*shown, "reason")} for r in quote.unranked],
            "failures": quote.failures,
            "excluded": quote.excluded,
        }
    )


@router.post(
    "/{shipment_id}/label",
    response_model=ShipmentRead,
    summary="Buy the label",
    responses={
        202: {"model": ShipmentRead, "description": "The carrier is unreachable: label pending"},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def buy_label(
    shipment_id: uuid.UUID,
    body: LabelRequest,
    bus: BusDep,
    uow: UowDep,
    client: CarrierClientDep,
    principal: Writer,
    response: Response,
) -> ShipmentRead:
    """Buy the named rate of the last quote, or the best by preference, with an idempotency
    key kept on the shipment (a retry never buys two labels). 200 with the tracking number,
    promised date and label link; 202 when the carrier could not be reached (label `pending`
    with the reason; the worker retries with backoff, and calling again retries at once);
    409 `label_refused` when the carrier refused (the label is `failed`: buy another rate).
    Buying again once purchased changes nothing."""
    command = BuyLabel(
        shipment_id=shipment_id,
        carrier=body.carrier,
        service=body.service,
        preference=body.preference,
        preferred_carrier=body.preferred_carrier,
        principal=principal,
        client=client,
    )
    view: ShipmentView = await bus.handle(command, uow)
    if view.shipment.label_status == "pending":
        response.status_code = status.HTTP_202_ACCEPTED
    elif view.shipment.label_status == "failed":
        raise Conflict(
            f"The carrier refused the label: {view.shipment.label_reason}",
            code="label_refused",
        )
    return shipment_read(view)


@router.delete(
    "/{shipment_id}/label",
    response_model=ShipmentRead,
    summary="Cancel the label",
    responses=problem_responses(401, 403, 404, 409, 503),
)
async def cancel_label(
    shipment_id: uuid.UUID,
    bus: BusDep,
    uow: UowDep,
    client: CarrierClientDep,
    principal: Writer,
) -> ShipmentRead:
    """Void the bought label at the carrier, before the goods leave; the shipment can then be
    labelled with another rate. 409 `no_label` without a bought label, `not_ready` once
    shipped, `label_not_cancellable` when the carrier refuses; 503 `carrier_unavailable` when
    it cannot be reached (nothing changes)."""
    command = VoidLabel(shipment_id=shipment_id, principal=principal, client=client)
    return shipment_read(await bus.handle(command, uow))


@router.get(
    "/{shipment_id}/label",
    response_class=Response,
    summary="Download the label",
    responses={
        200: {
            "description": "The label document, in the carrier's format",
            "content": {"application/pdf": {}, "image/png": {}, "text/plain": {}},
        },
        307: {"description": "The carrier hosts the label: redirect to it"},
        **problem_responses(401, 403, 404),
    },
)
async def download_label(shipment_id: uuid.UUID, uow: UowDep, principal: Reader) -> Response:
    """The bought label; carriers that host their labels (EasyPost) answer a redirect to it."""
    content_type, document = await label_document(uow, shipment_id)
    if content_type == "text/uri-list":
        return RedirectResponse(document.decode().strip(), status_code=307)
    return Response(content=document, media_type=content_type)
