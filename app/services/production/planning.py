"""Planning production requests (``production:write``): a planner creates, edits, splits,
combines, releases and cancels them; edits take ``If-Match``."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app.domain import production as rules
from app.domain.errors import RuleViolation
from app.domain.events import (
    Event,
    ProductionCancelled,
    ProductionCreated,
    ProductionReleased,
    ProductionUpdated,
)
from app.domain.production import ProductionSource, ProductionStatus
from app.repositories.production import ProductionRequest
from app.repositories.products import Product
from app.services.bus import Context
from app.services.common import check_version, retrying
from app.services.production.commands import (
    CancelProductionRequest,
    CreateProductionRequest,
    ReleaseProductionRequest,
    UpdateProductionRequest,
)
from app.services.production.release import release_document
from app.services.production.views import ProductionView, image, load_view
from app.services.unit_of_work import UnitOfWork

PRODUCTION_WRITE = "production:write"


async def new_request(
    uow: UnitOfWork,
    product: Product,
    warehouse_id: uuid.UUID,
    quantity: Decimal,
    due: date,
    *,
    source: ProductionSource,
    actor: str,
    priority: int = 0,
    note: str | None = None,
) -> ProductionRequest:
    """A draft request, numbered and added (its event is the caller's)."""
    now = datetime.now(UTC)
    request = ProductionRequest(
        id=uuid.uuid4(),
        number=rules.format_request_number(now.year, await uow.production.next_number()),
        product_id=product.id,
        sku=product.sku,
        warehouse_id=warehouse_id,
        quantity=quantity,
        quantity_completed=Decimal(0),
        quantity_scrapped=Decimal(0),
        status=ProductionStatus.DRAFT.value,
        source=source.value,
        priority=priority,
        due_date=due,
        note=note,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
        version=1,
    )
    uow.production.add(request)
    return request


async def production_warehouse(uow: UnitOfWork, product: Product) -> uuid.UUID:
    """Where a product is made: its own production warehouse, else the active warehouse
    allocation prefers first."""
    if product.production_warehouse_id is not None:
        return product.production_warehouse_id
    warehouses = await uow.allocation.active_warehouses()
    if not warehouses:
        raise RuleViolation.on("warehouse", "required", "No active warehouse to make it in.")
    first: uuid.UUID = warehouses[0].id
    return first


@retrying
async def create_request(
    cmd: CreateProductionRequest, uow: UnitOfWork, ctx: Context
) -> ProductionView:
    cmd.principal.require(PRODUCTION_WRITE)
    async with uow:
        product = await uow.products.get_by_sku(cmd.sku)
        if product is None or not product.active:
            raise RuleViolation.on("sku", "exists", f"No active product '{cmd.sku}'.")
        rules.check_made(product.supply_method, product.sku)
        rules.check_quantity(cmd.quantity, product.uom_precision)
        if cmd.warehouse is not None:
            warehouse = await uow.warehouses.get_by_code(cmd.warehouse)
            if warehouse is None or not warehouse.active:
                raise RuleViolation.on("warehouse", "exists", f"No warehouse {cmd.warehouse}.")
            warehouse_id = warehouse.id
        else:
            warehouse_id = await production_warehouse(uow, product)
        today = datetime.now(UTC).date()
        due = cmd.due_date or rules.due_date(today, product.production_lead_days)
        request = await new_request(
            uow,
            product,
            warehouse_id,
            cmd.quantity,
            due,
            source=ProductionSource.PLANNER,
            actor=cmd.principal.actor,
            priority=cmd.priority,
            note=cmd.note,
        )
        await uow.flush()
        view = await load_view(uow, request)
        uow.record(
            ProductionCreated(actor=cmd.principal.actor, entity_id=request.id, after=image(view))
        )
        await uow.commit()
        return view


async def locked(uow: UnitOfWork, request_id: uuid.UUID, version: int | None) -> ProductionRequest:
    """The request, locked (and at ``version``, for an edit)."""
    request = await uow.production.get_for_update_or_raise(request_id)
    if version is not None:
        check_version(request, version)
    return request


def touch(request: ProductionRequest, actor: str) -> None:
    request.updated_at = datetime.now(UTC)
    request.updated_by = actor


async def changed(
    uow: UnitOfWork,
    request: ProductionRequest,
    before: dict[str, Any],
    event: type[Event],
    actor: str,
    document: Callable[[ProductionView], Awaitable[dict[str, Any]]] | None = None,
) -> ProductionView:
    """The request as changed, recorded by ``event`` (its payload the ``document`` when one
    is given, else the request)."""
    touch(request, actor)
    await uow.flush()
    view = await load_view(uow, request)
    payload = await document(view) if document is not None else None
    uow.record(
        event(actor=actor, entity_id=request.id, before=before, after=image(view), payload=payload)
    )
    return view


@retrying
async def update_request(
    cmd: UpdateProductionRequest, uow: UnitOfWork, ctx: Context
) -> ProductionView:
    """Edit a draft's quantity (never below what its order lines need), due date, priority
    or note."""
    cmd.principal.require(PRODUCTION_WRITE)
    async with uow:
        request = await locked(uow, cmd.request_id, cmd.expected_version)
        rules.check_draft(request.status, request.number, "edited")
        before = image(await load_view(uow, request))
        if "quantity" in cmd.given:
            product = await uow.products.get_or_raise(request.product_id)
            quantity = cmd.quantity if cmd.quantity is not None else Decimal(0)
            rules.check_quantity(quantity, product.uom_precision)
            linked = sum((x.quantity for x in await uow.production.links([request.id])), Decimal(0))
            if quantity < linked:
                raise RuleViolation.on(
                    "quantity",
                    "covers_orders",
                    f"The order lines it serves need {linked}; split it instead.",
                )
            request.quantity = quantity
        if "due_date" in cmd.given and cmd.due_date is not None:
            request.due_date = cmd.due_date
        if "priority" in cmd.given and cmd.priority is not None:
            request.priority = cmd.priority
        if "note" in cmd.given:
            request.note = cmd.note
        view = await changed(uow, request, before, ProductionUpdated, cmd.principal.actor)
        await uow.commit()
        return view


@retrying
async def release_request(
    cmd: ReleaseProductionRequest, uow: UnitOfWork, ctx: Context
) -> ProductionView:
    """A draft goes to the production system: ``production.released`` carries the release
    document to the webhook endpoints that take it (the MES)."""
    cmd.principal.require(PRODUCTION_WRITE)
    async with uow:
        request = await locked(uow, cmd.request_id, cmd.expected_version)
        rules.check_draft(request.status, request.number, "released")
        before = image(await load_view(uow, request))
        request.status = ProductionStatus.RELEASED.value
        request.released_at = datetime.now(UTC)
        view = await changed(
            uow,
            request,
            before,
            ProductionReleased,
            cmd.principal.actor,
            lambda v: release_document(uow, v, ctx),
        )
        await uow.commit()
        return view


@retrying
async def cancel_request(
    cmd: CancelProductionRequest, uow: UnitOfWork, ctx: Context
) -> ProductionView:
    """Cancel a request nothing of which was completed (409 ``request_has_completions``);
    its order lines wait for stock again."""
    cmd.principal.require(PRODUCTION_WRITE)
    if not cmd.reason.strip():
        raise RuleViolation.on("reason", "required", "Cancelling needs a reason.")
    async with uow:
        request = await locked(uow, cmd.request_id, cmd.expected_version)
        rules.check_cancellable(request.status, request.quantity_completed, request.number)
        before = image(await load_view(uow, request))
        request.status = ProductionStatus.CANCELLED.value
        request.cancel_reason = cmd.reason.strip()
        view = await changed(uow, request, before, ProductionCancelled, cmd.principal.actor)
        await uow.commit()
        return view
