"""Sales orders: intake from every channel, drafts, submission, cancellation, search."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.deps import (
    AUTHENTICATED,
    BusDep,
    ETagDep,
    IdempotencyKey,
    IfMatchDep,
    PageDep,
    UowDep,
    requires,
)
from app.domain.auth import Principal
from app.domain.orders import BillingStatus, Channel, FulfillmentStatus, OrderStatus
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.order_reads import OrderEvent, OrderRead, OrderSummary, order_read
from app.schemas.orders import OrderCancel, OrderCreate, OrderShortClose, OrderUpdate
from app.services.orders.commands import CancelOrder, ShortCloseOrder, SubmitOrder
from app.services.orders.queries import (
    OrderFilters,
    OrderView,
    PlaceResult,
    get_order,
    get_order_by_number,
    list_orders,
    order_events,
)

router = APIRouter(prefix="/api/v1/orders", tags=["orders"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("orders:read"))]
Writer = Annotated[Principal, Depends(requires("orders:write"))]


@router.post(
    "",
    response_model=OrderRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create an order (draft, or submitted at once)",
    responses={
        200: {
            "model": OrderRead,
            "description": "The order already existed (same "
            "Idempotency-Key, or same channel and external_ref): it is returned unchanged",
        },
        **problem_responses(401, 403, 409, 422),
    },
)
async def create(
    body: OrderCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    response: Response,
    set_etag: ETagDep,
    idempotency_key: IdempotencyKey = None,
) -> OrderRead:
    """Price and create an order from any channel; exactly once per key and external ref."""
    result: PlaceResult = await bus.handle(body.to_command(principal, idempotency_key), uow)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    set_etag(result.view.order.version)
    response.headers["Location"] = f"/api/v1/orders/{result.view.order.id}"
    return order_read(result.view)


@router.get(
    "",
    response_model=Page[OrderSummary],
    summary="Find orders",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    status_: Annotated[OrderStatus | None, Query(alias="status")] = None,
    fulfillment_status: FulfillmentStatus | None = None,
    billing_status: BillingStatus | None = None,
    customer_id: uuid.UUID | None = None,
    channel: Channel | None = None,
    completed: Annotated[
        bool | None, Query(description="Delivered (all it will ship) and paid, or not")
    ] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Order number, customer name or code, external ref"),
    ] = None,
    sort: Annotated[
        str,
        Query(
            pattern="^(created_at|requested_delivery_date)$",
            description="created_at (newest first) or requested_delivery_date",
        ),
    ] = "created_at",
) -> Page[OrderSummary]:
    """Orders filtered by status, customer, channel, dates and text; keyset pages."""
    filters = OrderFilters(
        status=status_.value if status_ else None,
        fulfillment_status=fulfillment_status.value if fulfillment_status else None,
        billing_status=billing_status.value if billing_status else None,
        customer_id=customer_id,
        channel=channel.value if channel else None,
        created_from=created_from,
        created_to=created_to,
        q=q,
        completed=completed,
    )
    result = await list_orders(uow, filters, sort=sort, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[OrderSummary.model_validate(o) for o in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/by-number/{number}",
    response_model=OrderRead,
    summary="Get an order by its number",
    responses=problem_responses(401, 403, 404),
)
async def get_by_number(
    number: Annotated[str, Path(max_length=32, description="The order number, SO-YYYY-NNNNNN")],
    uow: UowDep,
    principal: Reader,
    set_etag: ETagDep,
) -> OrderRead:
    """The order with this number (as printed on documents); ETag for a later edit."""
    view = await get_order_by_number(uow, number)
    set_etag(view.order.version)
    return order_read(view)


@router.get(
    "/{order_id}",
    response_model=OrderRead,
    summary="Get an order",
    responses=problem_responses(401, 403, 404),
)
async def get(order_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep) -> OrderRead:
    """An order with its lines, totals and derived statuses; ETag for a later edit."""
    view = await get_order(uow, order_id)
    set_etag(view.order.version)
    return order_read(view)


@router.patch(
    "/{order_id}",
    response_model=OrderRead,
    summary="Edit a draft order",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update(
    order_id: uuid.UUID,
    body: OrderUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> OrderRead:
    """Change a draft's lines, ship-to, dates or notes and re-price it. Needs If-Match."""
    view: OrderView = await bus.handle(body.to_command(order_id, version, principal), uow)
    set_etag(view.order.version)
    return order_read(view)


@router.post(
    "/{order_id}/submit",
    response_model=OrderRead,
    summary="Submit a draft order",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit(order_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Writer) -> OrderRead:
    """Submit a draft for review."""
    return order_read(await bus.handle(SubmitOrder(principal=principal, order_id=order_id), uow))


@router.post(
    "/{order_id}/cancel",
    response_model=OrderRead,
    summary="Cancel an order",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cancel(
    order_id: uuid.UUID, body: OrderCancel, bus: BusDep, uow: UowDep, principal: Writer
) -> OrderRead:
    """Cancel with a reason, allowed until anything has shipped."""
    command = CancelOrder(principal=principal, order_id=order_id, reason=body.reason)
    return order_read(await bus.handle(command, uow))


@router.post(
    "/{order_id}/short-close",
    response_model=OrderRead,
    summary="Short-close a partly shipped order",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def short_close(
    order_id: uuid.UUID,
    body: OrderShortClose,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> OrderRead:
    """Close an order that shipped in part and whose rest nobody will ship, with a reason:
    its reservations and backorders are released and its fulfilment and billing statuses
    derive from what was shipped, so it completes once that is delivered and paid. An order
    with nothing shipped is cancelled instead (409 order_not_shipped)."""
    command = ShortCloseOrder(principal=principal, order_id=order_id, reason=body.reason)
    view: OrderView = await bus.handle(command, uow)
    set_etag(view.order.version)
    return order_read(view)


@router.get(
    "/{order_id}/events",
    response_model=Page[OrderEvent],
    summary="The order's timeline",
    responses=problem_responses(401, 403, 404, 422),
)
async def events(
    order_id: uuid.UUID, uow: UowDep, principal: Reader, page: PageDep
) -> Page[OrderEvent]:
    """Everything that happened to the order, oldest first, with actor and time."""
    result = await order_events(uow, order_id, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[OrderEvent.model_validate(e) for e in result.items],
        next_cursor=result.next_cursor,
    )
