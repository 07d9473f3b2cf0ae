"""Shipments (发货单): create from picked goods, verify by scanning, confirm (发货确认),
deliver with the own fleet, read the delivery note, list."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.deps import (
    AUTHENTICATED,
    BusDep,
    ETagDep,
    PageDep,
    SettingsDep,
    UowDep,
    requires,
)
from app.domain.auth import Principal
from app.domain.shipments import Quantity
from app.errors import problem_responses
from app.routers.documents import pdf_alternative, pdf_response, wants_pdf
from app.schemas.common import Page
from app.schemas.shipment_reads import shipment_read
from app.schemas.shipments import (
    ProofOfDelivery,
    ShipmentConfirm,
    ShipmentCreate,
    ShipmentDeliver,
    ShipmentRead,
    ShipmentStatusName,
    ShipmentVerify,
    SkuQuantity,
)
from app.services.documents.delivery_note import delivery_note_documents
from app.services.documents.options import PrintOptions
from app.services.shipments import queries
from app.services.shipments.commands import (
    ConfirmShipment,
    CreateShipment,
    DeliverShipment,
    Package,
    VerifyShipment,
)

router = APIRouter(prefix="/api/v1/shipments", tags=["shipments"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("stock:read"))]
Writer = Annotated[Principal, Depends(requires("stock:write"))]


def _quantities(lines: list[SkuQuantity]) -> tuple[Quantity, ...]:
    return tuple(Quantity(x.sku, x.quantity) for x in lines)


def _create_command(body: ShipmentCreate, principal: Principal) -> CreateShipment:
    return CreateShipment(
        principal=principal,
        order_id=body.order_id,
        warehouse=body.warehouse,
        lines=_quantities(body.lines) if body.lines is not None else None,
        packages=tuple(
            Package(
                weight_kg=p.weight_kg,
                length_cm=p.length_cm,
                width_cm=p.width_cm,
                height_cm=p.height_cm,
                contents=_quantities(p.contents),
            )
            for p in body.packages
        ),
        carrier=body.carrier,
    )


def _deliver_command(
    shipment_id: uuid.UUID, body: ShipmentDeliver, principal: Principal
) -> DeliverShipment:
    return DeliverShipment(
        principal=principal,
        shipment_id=shipment_id,
        receiver_name=body.receiver_name,
        delivered_at=body.delivered_at,
        signature=body.signature,
        photo=(body.photo, body.photo_content_type)
        if body.photo and body.photo_content_type
        else None,
    )


@router.post(
    "",
    response_model=ShipmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a shipment",
    responses=problem_responses(401, 403, 422),
)
async def create(
    body: ShipmentCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    response: Response,
    set_etag: ETagDep,
) -> ShipmentRead:
    """A ready shipment of what was picked (and not yet shipped) for one order in one
    warehouse, with its packages; 422 naming the line when more is shipped than was picked."""
    view = await bus.handle(_create_command(body, principal), uow)
    set_etag(view.shipment.version)
    response.headers["Location"] = f"/api/v1/shipments/{view.shipment.id}"
    return shipment_read(view)


@router.get(
    "",
    response_model=Page[ShipmentRead],
    summary="List shipments",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    order_id: uuid.UUID | None = None,
    warehouse: Annotated[str | None, Query(max_length=64, description="Warehouse code")] = None,
    status: ShipmentStatusName | None = None,
) -> Page[ShipmentRead]:
    """Shipments newest first, filtered by order, warehouse and status."""
    result = await queries.list_shipments(
        uow,
        order_id=order_id,
        warehouse=warehouse,
        status=status,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=[shipment_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{shipment_id}",
    response_model=ShipmentRead,
    summary="Get a shipment (delivery note)",
    responses={
        **pdf_alternative(
            "The shipment; with `Accept: application/pdf`, its printed delivery note"
        ),
        **problem_responses(401, 403, 404),
    },
)
async def get(
    shipment_id: uuid.UUID,
    uow: UowDep,
    principal: Reader,
    set_etag: ETagDep,
    request: Request,
    settings: SettingsDep,
) -> ShipmentRead | Response:
    """The delivery note: goods, packages, carrier or own fleet, ship-to, customer, order,
    status, shipping and delivery details. `Accept: application/pdf` answers the printed
    delivery note (as `GET /shipments/{id}/delivery-note.pdf`)."""
    if wants_pdf(request.headers.get("accept")):
        base_url = settings.public_base_url
        documents = await delivery_note_documents(
            uow, [shipment_id], PrintOptions(), base_url=base_url
        )
        return await pdf_response(documents, f"{documents[0].number}.pdf")
    view = await queries.get_shipment(uow, shipment_id)
    set_etag(view.shipment.version)
    return shipment_read(view)


@router.post(
    "/{shipment_id}/verify",
    response_model=ShipmentRead,
    summary="Verify the scanned goods",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def verify(
    shipment_id: uuid.UUID, body: ShipmentVerify, bus: BusDep, uow: UowDep, principal: Writer
) -> ShipmentRead:
    """Compare the scanned goods with the shipment; 409 `verification_mismatch` listing each
    differing SKU with the expected and scanned quantities."""
    command = VerifyShipment(
        principal=principal, shipment_id=shipment_id, lines=_quantities(body.lines)
    )
    return shipment_read(await bus.handle(command, uow))


@router.post(
    "/{shipment_id}/confirm",
    response_model=ShipmentRead,
    summary="Confirm the shipment (发货确认)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def confirm(
    shipment_id: uuid.UUID, body: ShipmentConfirm, bus: BusDep, uow: UowDep, principal: Writer
) -> ShipmentRead:
    """Consume the reservations, issue the stock and mark the order lines shipped, in one
    transaction; 409 `not_verified` before verification. Confirming again changes nothing."""
    command = ConfirmShipment(
        principal=principal,
        shipment_id=shipment_id,
        shipped_at=body.shipped_at,
        vehicle_plate=body.vehicle_plate,
        driver=body.driver,
    )
    return shipment_read(await bus.handle(command, uow))


@router.post(
    "/{shipment_id}/deliver",
    response_model=ShipmentRead,
    summary="Record an own-fleet delivery",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def deliver(
    shipment_id: uuid.UUID, body: ShipmentDeliver, bus: BusDep, uow: UowDep, principal: Writer
) -> ShipmentRead:
    """Proof of delivery of an own-fleet (or table-rate courier) run: the receiver, the time,
    an optional signature and an optional photo; the order lines' delivered quantities rise.
    409 for shipments of tracked carriers (their deliveries come from the carrier)."""
    return shipment_read(await bus.handle(_deliver_command(shipment_id, body, principal), uow))


@router.get(
    "/{shipment_id}/proof-of-delivery",
    response_model=ProofOfDelivery,
    summary="Get the proof of delivery",
    responses=problem_responses(401, 403, 404),
)
async def proof_of_delivery(
    shipment_id: uuid.UUID, uow: UowDep, principal: Reader
) -> ProofOfDelivery:
    """Receiver, time, signature and photo of a delivered shipment; 404 before delivery."""
    s = await queries.proof_of_delivery(uow, shipment_id)
    return ProofOfDelivery(
        shipment_id=s.id,
        receiver_name=s.receiver_name,
        delivered_at=s.delivered_at,
        delivered_by=s.delivered_by,
        signature=s.signature,
        photo=s.photo,
        photo_content_type=s.photo_content_type,
    )
