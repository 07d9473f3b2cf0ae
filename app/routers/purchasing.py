"""Replenishment suggestions and purchase orders: buying stock and receiving it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.purchasing import PurchaseOrderStatus
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.purchasing import (
    PurchaseOrderCreate,
    PurchaseOrderLineRead,
    PurchaseOrderRead,
    PurchaseOrderReceipt,
    PurchaseOrderReceived,
    PurchaseOrderSummary,
    ReplenishmentOrdersCreate,
    ReplenishmentOrdersCreated,
    SkippedProduct,
    SuggestionRead,
    SuggestionsRead,
    SupplierSuggestions,
)
from app.schemas.stock import StockMovementRead
from app.services.purchasing.commands import (
    CancelPurchaseOrder,
    SendPurchaseOrder,
)
from app.services.purchasing.queries import get_purchase_order, list_purchase_orders
from app.services.purchasing.receive import ReceivedView
from app.services.purchasing.replenish import ReplenishmentResult
from app.services.purchasing.suggestions import SuggestionsView
from app.services.purchasing.suggestions import suggestions as suggest
from app.services.purchasing.views import PurchaseOrderView

replenishment = APIRouter(
    prefix="/api/v1/replenishment", tags=["replenishment"], dependencies=AUTHENTICATED
)
router = APIRouter(
    prefix="/api/v1/purchase-orders", tags=["purchase-orders"], dependencies=AUTHENTICATED
)
Reader = Annotated[Principal, Depends(requires("stock:read"))]
Writer = Annotated[Principal, Depends(requires("stock:write"))]


def _summary(view: PurchaseOrderView) -> PurchaseOrderSummary:
    o = view.order
    return PurchaseOrderSummary(
        id=o.id,
        number=o.number,
        status=PurchaseOrderStatus(o.status),
        supplier_id=o.supplier_id,
        supplier=view.supplier,
        warehouse_id=o.warehouse_id,
        warehouse=view.warehouse,
        order_date=o.order_date,
        expected_date=o.expected_date,
        created_by=o.created_by,
        created_at=o.created_at,
        updated_at=o.updated_at,
        version=o.version,
    )


def _read(view: PurchaseOrderView) -> PurchaseOrderRead:
    return PurchaseOrderRead(
        **_summary(view).model_dump(),
        lines=[PurchaseOrderLineRead.model_validate(line) for line in view.lines or []],
    )


def _suggestions(view: SuggestionsView) -> SuggestionsRead:
    groups = []
    for g in view.groups:
        lines = []
        for s in g.group.suggestions:
            p, product = s.position, g.products[s.product_id]
            lines.append(
                SuggestionRead(
                    product_id=p.product_id,
                    sku=p.sku,
                    name=product.name,
                    uom=product.uom,
                    reasons=[r.value for r in s.reasons],
                    quantity=s.quantity,
                    shortage=p.shortage,
                    available=p.available,
                    on_order=p.on_order,
                    reorder_point=p.reorder_point,
                    reorder_quantity=p.reorder_quantity,
                )
            )
        supplier = g.supplier
        groups.append(
            SupplierSuggestions(
                supplier_id=g.group.supplier_id,
                supplier=supplier.code if supplier else None,
                supplier_name=supplier.name if supplier else None,
                supplier_active=supplier.active if supplier else None,
                no_supplier=g.group.unassigned,
                lead_time_days=g.group.lead_time_days,
                expected_date=g.group.expected_date,
                lines=lines,
            )
        )
    return SuggestionsRead(
        order_date=view.order_date, groups=groups, limit=view.limit, truncated=view.truncated
    )


@replenishment.get(
    "/suggestions",
    response_model=SuggestionsRead,
    summary="What to buy now",
    responses=problem_responses(401, 403),
)
async def suggestions(uow: UowDep, principal: Reader) -> SuggestionsRead:
    """Products whose backorders exceed what is on order, or whose stock (available + on order
    − backordered) is below the reorder point, grouped by preferred supplier, each with its
    reasons, quantity and expected date. Bounded: at most 1000 products (by SKU) are
    considered; `truncated` says when there were more."""
    return _suggestions(await suggest(uow))


@replenishment.post(
    "/purchase-orders",
    response_model=ReplenishmentOrdersCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Turn the suggestions into draft purchase orders",
    responses=problem_responses(401, 403, 422),
)
async def create_purchase_orders(
    body: ReplenishmentOrdersCreate, bus: BusDep, uow: UowDep, principal: Writer
) -> ReplenishmentOrdersCreated:
    """One draft purchase order per preferred supplier for the current suggestions, delivered
    to the given warehouse; products without an (active) supplier are skipped and listed."""
    result: ReplenishmentResult = await bus.handle(body.to_command(principal), uow)
    return ReplenishmentOrdersCreated(
        purchase_orders=[_read(v) for v in result.purchase_orders],
        skipped=[SkippedProduct.model_validate(s) for s in result.skipped],
    )


@router.post(
    "",
    response_model=PurchaseOrderRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a purchase order",
    responses=problem_responses(401, 403, 422),
)
async def create(
    body: PurchaseOrderCreate, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> PurchaseOrderRead:
    """A draft purchase order; the expected date defaults to today + the supplier's lead time.
    Unknown supplier, warehouse or SKU is 422 naming the field."""
    view: PurchaseOrderView = await bus.handle(body.to_command(principal), uow)
    set_etag(view.order.version)
    return _read(view)


@router.get(
    "",
    response_model=Page[PurchaseOrderSummary],
    summary="List purchase orders",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    status: PurchaseOrderStatus | None = None,
    supplier: Annotated[str | None, Query(max_length=64, description="Supplier code")] = None,
    warehouse: Annotated[str | None, Query(max_length=64, description="Warehouse code")] = None,
) -> Page[PurchaseOrderSummary]:
    """Purchase orders newest first, filtered by status, supplier and warehouse."""
    result = await list_purchase_orders(
        uow,
        status=status,
        supplier=supplier,
        warehouse=warehouse,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=[_summary(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{purchase_order_id}",
    response_model=PurchaseOrderRead,
    summary="Get a purchase order",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    purchase_order_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> PurchaseOrderRead:
    """One purchase order with its lines and what has been received of each."""
    view = await get_purchase_order(uow, purchase_order_id)
    set_etag(view.order.version)
    return _read(view)


@router.post(
    "/{purchase_order_id}/send",
    response_model=PurchaseOrderRead,
    summary="Send a purchase order",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def send(
    purchase_order_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Writer
) -> PurchaseOrderRead:
    """draft → sent; any other status is 409 `invalid_state`."""
    command = SendPurchaseOrder(principal=principal, purchase_order_id=purchase_order_id)
    return _read(await bus.handle(command, uow))


@router.post(
    "/{purchase_order_id}/cancel",
    response_model=PurchaseOrderRead,
    summary="Cancel a purchase order",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cancel(
    purchase_order_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Writer
) -> PurchaseOrderRead:
    """Cancel a draft or sent order; once goods were received it is 409 `invalid_state`."""
    command = CancelPurchaseOrder(principal=principal, purchase_order_id=purchase_order_id)
    return _read(await bus.handle(command, uow))


@router.post(
    "/{purchase_order_id}/receive",
    response_model=PurchaseOrderReceived,
    summary="Receive goods against a purchase order",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def receive(
    purchase_order_id: uuid.UUID,
    body: PurchaseOrderReceipt,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
) -> PurchaseOrderReceived:
    """Record receipt movements at the order's warehouse and allocate waiting backorders.
    Beyond the ordered quantity plus `LADING_PO_OVER_RECEIPT_TOLERANCE_PERCENT` is 422 naming
    the line (nothing written); a draft, cancelled or fully received order is 409."""
    result: ReceivedView = await bus.handle(body.to_command(purchase_order_id, principal), uow)
    return PurchaseOrderReceived(
        purchase_order=_read(result.purchase_order),
        movements=[StockMovementRead.model_validate(m) for m in result.movements],
        backorders_allocated=result.backorders_allocated,
    )
