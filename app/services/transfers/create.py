"""Drafting a transfer: from the API (warehouses and products by code) and for a
consolidation (by id, inside the caller's unit of work)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from app.domain.errors import UnknownReference, Violations
from app.domain.events import TransferCreated
from app.domain.transfers import (
    TransferReason,
    TransferStatus,
    check_route,
    format_transfer_number,
    merge_lines,
)
from app.repositories.products import Product
from app.repositories.transfers import Transfer, TransferLine
from app.repositories.warehouses import Warehouse
from app.services.bus import Context
from app.services.common import retrying
from app.services.transfers.commands import CreateTransfer
from app.services.transfers.views import (
    TransferView,
    current_image,
    load_view,
    now,
    warehouse_by_code,
)
from app.services.unit_of_work import UnitOfWork

Lines = Sequence[tuple[uuid.UUID, Decimal]]


async def _check_warehouses(
    uow: UnitOfWork,
    from_warehouse_id: uuid.UUID,
    to_warehouse_id: uuid.UUID,
    v: Violations,
    unknown: Violations,
) -> tuple[Warehouse | None, Warehouse | None]:
    source = await uow.warehouses.get(from_warehouse_id)
    destination = await uow.warehouses.get(to_warehouse_id)
    for warehouse, field, wid in (
        (source, "from_warehouse", from_warehouse_id),
        (destination, "to_warehouse", to_warehouse_id),
    ):
        if warehouse is None:
            unknown.add(field, "exists", f"No warehouse with id {wid}.")
        elif not warehouse.active:
            v.add(field, "active", f"Warehouse {warehouse.code} is inactive.")
    return source, destination


async def _check_products(
    uow: UnitOfWork, lines: Lines, v: Violations, unknown: Violations
) -> dict[uuid.UUID, Product]:
    products = {}
    for i, (product_id, _) in enumerate(lines):
        product = await uow.products.get(product_id)
        if product is None:
            unknown.add(f"lines.{i}.sku", "exists", f"No product with id {product_id}.")
            continue
        if not product.active:
            v.add(f"lines.{i}.sku", "active", f"Product {product.sku} is inactive.")
        products[product_id] = product
    return products


async def _new_transfer(
    uow: UnitOfWork,
    source: Warehouse,
    destination: Warehouse,
    *,
    reason: str,
    order_id: uuid.UUID | None,
    notes: str | None,
    actor: str,
) -> Transfer:
    at = now()
    transfer = Transfer(
        id=uuid.uuid4(),
        number=format_transfer_number(at.year, await uow.transfers.next_number()),
        from_warehouse_id=source.id,
        to_warehouse_id=destination.id,
        reason=reason,
        status=TransferStatus.DRAFT.value,
        order_id=order_id,
        notes=notes,
        created_by=actor,
        updated_by=actor,
        created_at=at,
        updated_at=at,
    )
    uow.transfers.add(transfer)
    await uow.flush()
    return transfer


def _add_lines(
    uow: UnitOfWork, transfer: Transfer, merged: Lines, products: dict[uuid.UUID, Product]
) -> None:
    for line_no, (product_id, quantity) in enumerate(merged, start=1):
        uow.transfers.add_line(
            TransferLine(
                id=uuid.uuid4(),
                transfer_id=transfer.id,
                line_no=line_no,
                product_id=product_id,
                sku=products[product_id].sku,
                quantity=quantity,
                shipped_quantity=Decimal(0),
                received_quantity=Decimal(0),
                discrepancy_quantity=Decimal(0),
            )
        )


async def draft_transfer(
    uow: UnitOfWork,
    *,
    from_warehouse_id: uuid.UUID,
    to_warehouse_id: uuid.UUID,
    lines: Lines,
    reason: str,
    order_id: uuid.UUID | None,
    actor: str,
    notes: str | None = None,
) -> Transfer:
    """Create a draft transfer inside the caller's (already entered) unit of work; the caller
    commits. ``lines`` are (product id, quantity); repeated products are merged."""
    check_route(from_warehouse_id, to_warehouse_id)
    v = Violations()
    if reason not in {r.value for r in TransferReason}:
        v.add("reason", "enum", f"Unknown transfer reason '{reason}'.")
    unknown = Violations()
    source, destination = await _check_warehouses(
        uow, from_warehouse_id, to_warehouse_id, v, unknown
    )
    products = await _check_products(uow, lines, v, unknown)
    if order_id is not None and await uow.orders.get(order_id) is None:
        unknown.add("order_id", "exists", f"No order with id {order_id}.")
    if unknown.issues:
        raise UnknownReference("Unknown reference.", issues=unknown.issues)
    v.raise_if_any()
    assert source is not None and destination is not None
    merged = merge_lines(lines, {pid: p.uom_precision for pid, p in products.items()})
    transfer = await _new_transfer(
        uow, source, destination, reason=reason, order_id=order_id, notes=notes, actor=actor
    )
    _add_lines(uow, transfer, merged, products)
    await uow.flush()
    after = await current_image(uow, transfer)
    uow.record(TransferCreated(actor=actor, entity_id=transfer.id, after=after))
    return transfer


@retrying
async def create_transfer(cmd: CreateTransfer, uow: UnitOfWork, ctx: Context) -> TransferView:
    """A draft transfer between two warehouses named by code."""
    check_route(cmd.from_warehouse, cmd.to_warehouse)
    merge_lines([(line.sku, line.quantity) for line in cmd.lines])  # fail fast on bad input
    async with uow:
        source = await warehouse_by_code(uow, cmd.from_warehouse, "from_warehouse")
        destination = await warehouse_by_code(uow, cmd.to_warehouse, "to_warehouse")
        found = await uow.products.get_many_by_sku(sorted({line.sku for line in cmd.lines}))
        unknown = Violations()
        for i, line in enumerate(cmd.lines):
            if line.sku not in found:
                unknown.add(f"lines.{i}.sku", "exists", f"No product with SKU '{line.sku}'.")
        if unknown.issues:
            raise UnknownReference("Unknown SKU.", issues=unknown.issues)
        transfer = await draft_transfer(
            uow,
            from_warehouse_id=source.id,
            to_warehouse_id=destination.id,
            lines=[(found[line.sku].id, line.quantity) for line in cmd.lines],
            reason=cmd.reason,
            order_id=cmd.order_id,
            actor=cmd.principal.actor,
            notes=cmd.notes,
        )
        view = await load_view(uow, transfer)
        await uow.commit()
    return view
