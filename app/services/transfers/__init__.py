"""Transfer use cases: create a draft, ship it (stock leaves the source), receive it (stock
arrives at the destination, possibly in parts), cancel it; each step writes its movements, the
audit event and the outbox event in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal
from app.domain.errors import (
    FieldIssue,
    InsufficientStock,
    NotFound,
    UnknownReference,
    Violations,
)
from app.domain.events import ConsolidationPlanned, StockArrived
from app.domain.stock import MovementKind, StockPosition, insufficient_stock
from app.domain.transfers import (
    LineProgress,
    TransferReason,
    TransferStatus,
    check_can_cancel,
    check_can_ship,
    check_route,
    format_transfer_number,
    merge_lines,
    plan_receipt,
)
from app.repositories.pagination import PageResult
from app.repositories.stock import StockMovement
from app.repositories.transfers import Transfer, TransferFilters, TransferLine
from app.repositories.warehouses import Warehouse
from app.schemas.transfers import TransferCreate, TransferReceive
from app.services.bus import Context
from app.services.common import retrying
from app.services.recording import jsonable, record_change, snapshot
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class TransferLineView:
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    quantity: Decimal
    shipped_quantity: Decimal
    received_quantity: Decimal
    discrepancy_quantity: Decimal
    discrepancy_note: str | None

    @property
    def in_transit(self) -> Decimal:
        return _progress(self).outstanding

    @classmethod
    def of(cls, line: TransferLine) -> TransferLineView:
        return cls(
            line.id,
            line.line_no,
            line.product_id,
            line.sku,
            line.quantity,
            line.shipped_quantity,
            line.received_quantity,
            line.discrepancy_quantity,
            line.discrepancy_note,
        )


@dataclass(frozen=True)
class TransferView:
    """A transfer with its warehouses' codes and its lines."""

    transfer: Transfer
    from_warehouse: str
    to_warehouse: str
    lines: list[TransferLineView]


def _progress(line: TransferLine | TransferLineView) -> LineProgress:
    return LineProgress(line.shipped_quantity, line.received_quantity, line.discrepancy_quantity)


def _now() -> datetime:
    return datetime.now(UTC)


async def _view(uow: UnitOfWork, transfer: Transfer) -> TransferView:
    codes = await uow.transfers.warehouse_codes(
        {transfer.from_warehouse_id, transfer.to_warehouse_id}
    )
    lines = await uow.transfers.lines(transfer.id)
    return TransferView(
        transfer,
        codes[transfer.from_warehouse_id],
        codes[transfer.to_warehouse_id],
        [TransferLineView.of(line) for line in lines],
    )


def _after(view: TransferView) -> dict[str, Any]:
    """The audit/outbox image of a transfer: its columns, its warehouses' codes and its lines."""
    return snapshot(view.transfer) | {
        "from_warehouse": view.from_warehouse,
        "to_warehouse": view.to_warehouse,
        "lines": jsonable(
            [
                {
                    "sku": line.sku,
                    "product_id": line.product_id,
                    "quantity": line.quantity,
                    "shipped_quantity": line.shipped_quantity,
                    "received_quantity": line.received_quantity,
                    "discrepancy_quantity": line.discrepancy_quantity,
                    "discrepancy_note": line.discrepancy_note,
                }
                for line in view.lines
            ]
        ),
    }


async def _warehouse_by_code(uow: UnitOfWork, code: str, field: str) -> Warehouse:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on(field, "exists", f"No warehouse with code '{code}'.")
    return warehouse


async def _locked(uow: UnitOfWork, transfer_id: uuid.UUID) -> Transfer:
    transfer = await uow.transfers.get_for_update(transfer_id)
    if transfer is None:
        raise NotFound(f"No transfer with id {transfer_id}.")
    return transfer


async def create_transfer_in_uow(
    uow: UnitOfWork,
    *,
    from_warehouse_id: uuid.UUID,
    to_warehouse_id: uuid.UUID,
    lines: list[tuple[uuid.UUID, Decimal]],
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
    source = await uow.warehouses.get(from_warehouse_id)
    destination = await uow.warehouses.get(to_warehouse_id)
    unknown = Violations()
    for warehouse, field, wid in (
        (source, "from_warehouse", from_warehouse_id),
        (destination, "to_warehouse", to_warehouse_id),
    ):
        if warehouse is None:
            unknown.add(field, "exists", f"No warehouse with id {wid}.")
        elif not warehouse.active:
            v.add(field, "active", f"Warehouse {warehouse.code} is inactive.")
    products = {}
    for i, (product_id, _) in enumerate(lines):
        product = await uow.products.get(product_id)
        if product is None:
            unknown.add(f"lines.{i}.sku", "exists", f"No product with id {product_id}.")
            continue
        if not product.active:
            v.add(f"lines.{i}.sku", "active", f"Product {product.sku} is inactive.")
        products[product_id] = product
    if order_id is not None and await uow.orders.get(order_id) is None:
        unknown.add("order_id", "exists", f"No order with id {order_id}.")
    if unknown.issues:
        raise UnknownReference("Unknown reference.", issues=unknown.issues)
    v.raise_if_any()
    assert source is not None and destination is not None
    merged = merge_lines(lines, {pid: p.uom_precision for pid, p in products.items()})

    now = _now()
    transfer = Transfer(
        id=uuid.uuid4(),
        number=format_transfer_number(now.year, await uow.transfers.next_number()),
        from_warehouse_id=source.id,
        to_warehouse_id=destination.id,
        reason=reason,
        status=TransferStatus.DRAFT.value,
        order_id=order_id,
        notes=notes,
        created_by=actor,
        updated_by=actor,
        created_at=now,
        updated_at=now,
    )
    uow.transfers.add(transfer)
    await uow.flush()
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
    await uow.flush()
    view = await _view(uow, transfer)
    record_change(
        uow,
        actor,
        "transfer",
        transfer.id,
        "created",
        None,
        _after(view),
        event="transfer.created",
    )
    return transfer


@retrying
async def create_transfer(
    uow: UnitOfWork, data: TransferCreate, principal: Principal
) -> TransferView:
    """A draft transfer between two warehouses named by code."""
    check_route(data.from_warehouse, data.to_warehouse)
    merge_lines([(line.sku, line.quantity) for line in data.lines])  # fail fast on bad input
    async with uow:
        source = await _warehouse_by_code(uow, data.from_warehouse, "from_warehouse")
        destination = await _warehouse_by_code(uow, data.to_warehouse, "to_warehouse")
        found = await uow.products.get_many_by_sku(sorted({line.sku for line in data.lines}))
        unknown = Violations()
        for i, line in enumerate(data.lines):
            if line.sku not in found:
                unknown.add(f"lines.{i}.sku", "exists", f"No product with SKU '{line.sku}'.")
        if unknown.issues:
            raise UnknownReference("Unknown SKU.", issues=unknown.issues)
        transfer = await create_transfer_in_uow(
            uow,
            from_warehouse_id=source.id,
            to_warehouse_id=destination.id,
            lines=[(found[line.sku].id, line.quantity) for line in data.lines],
            reason=data.reason,
            order_id=data.order_id,
            actor=principal.actor,
            notes=data.notes,
        )
        view = await _view(uow, transfer)
        await uow.commit()
    return view


async def _move(
    uow: UnitOfWork,
    warehouse_id: uuid.UUID,
    line: TransferLine,
    kind: MovementKind,
    quantity: Decimal,
    reason: str,
    transfer: Transfer,
    principal: Principal,
) -> StockMovement | None:
    return await uow.stock.move(
        warehouse_id,
        line.product_id,
        quantity,
        kind=kind.value,
        actor=principal.actor,
        reason=reason,
        reference=transfer.number,
    )


async def on_consolidation_planned(
    event: ConsolidationPlanned, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: a ship-complete allocation drafts one consolidation transfer per (from, to)
    pair; their numbers go to the event's results."""
    await uow.flush()  # the transfer names the order, which may not be written yet
    grouped: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[uuid.UUID, Decimal]]] = {}
    for source, target, product_id, quantity in event.moves:
        grouped.setdefault((source, target), []).append((product_id, quantity))
    for (source, target), items in grouped.items():
        transfer = await create_transfer_in_uow(
            uow,
            from_warehouse_id=source,
            to_warehouse_id=target,
            lines=items,
            reason="consolidation",
            order_id=event.entity_uuid,
            actor=event.actor,
        )
        event.results.append(transfer.number)


@retrying
async def ship_transfer(
    uow: UnitOfWork, transfer_id: uuid.UUID, principal: Principal
) -> TransferView:
    """Issue every line from the source warehouse (``transfer_out`` movements). Any line short
    of available stock refuses the whole shipment (409 ``insufficient_stock``): nothing moves."""
    async with uow:
        transfer = await _locked(uow, transfer_id)
        check_can_ship(transfer.status)
        before = _after(await _view(uow, transfer))
        codes = await uow.transfers.warehouse_codes(
            {transfer.from_warehouse_id, transfer.to_warehouse_id}
        )
        source, destination = codes[transfer.from_warehouse_id], codes[transfer.to_warehouse_id]
        lines = await uow.transfers.lines(transfer.id)
        issues: list[FieldIssue] = []
        # Stock rows are touched in one fixed order (product, then warehouse): no deadlocks.
        for line in sorted(lines, key=lambda item: item.product_id):
            issued = await _move(
                uow,
                transfer.from_warehouse_id,
                line,
                MovementKind.TRANSFER_OUT,
                -line.quantity,
                f"transfer to {destination}",
                transfer,
                principal,
            )
            if issued is None:
                level = await uow.stock.read_level(transfer.from_warehouse_id, line.product_id)
                position = (
                    StockPosition(level.on_hand, level.reserved) if level else StockPosition()
                )
                refused = insufficient_stock(line.sku, source, position, line.quantity)
                issues += [
                    FieldIssue(f"lines.{line.line_no - 1}.quantity", i.rule, refused.detail)
                    for i in refused.issues
                ]
                continue
            line.shipped_quantity = line.quantity
        if issues:
            detail = " ".join(i.message for i in issues)
            raise InsufficientStock(detail, issues=issues)
        now = _now()
        transfer.status = TransferStatus.SHIPPED.value
        transfer.shipped_at = now
        transfer.updated_at = now
        transfer.updated_by = principal.actor
        await uow.flush()
        view = await _view(uow, transfer)
        record_change(
            uow,
            principal.actor,
            "transfer",
            transfer.id,
            "shipped",
            before,
            _after(view),
            event="transfer.shipped",
        )
        await uow.commit()
    return view


@retrying
async def receive_transfer(
    uow: UnitOfWork,
    transfer_id: uuid.UUID,
    data: TransferReceive,
    principal: Principal,
) -> TransferView:
    """Put what arrived on hand at the destination (``transfer_in`` movements); a ``final``
    receipt records the rest as a discrepancy. Stock that arrives is offered to backorders in
    the same transaction."""
    async with uow:
        transfer = await _locked(uow, transfer_id)
        before = _after(await _view(uow, transfer))
        lines = await uow.transfers.lines(transfer.id)
        by_sku = {line.sku: line for line in lines}
        precisions: dict[str, int] = {}
        for line in lines:
            product = await uow.products.get(line.product_id)
            if product is not None:
                precisions[line.sku] = product.uom_precision
        plan = plan_receipt(
            transfer.status,
            {line.sku: _progress(line) for line in lines},
            [(r.sku if r.sku in by_sku else None, r.quantity, r.note) for r in data.lines],
            final=data.final,
            precisions=precisions,
            note=data.note,
        )
        codes = await uow.transfers.warehouse_codes({transfer.from_warehouse_id})
        source = codes[transfer.from_warehouse_id]
        arrived: list[uuid.UUID] = []
        for outcome in sorted(plan.lines, key=lambda o: by_sku[str(o.key)].product_id):
            line = by_sku[str(outcome.key)]
            line.received_quantity = outcome.progress.received
            line.discrepancy_quantity = outcome.progress.discrepancy
            if outcome.discrepancy_note is not None:
                line.discrepancy_note = outcome.discrepancy_note
            if outcome.arrived <= 0:
                continue
            added = await _move(
                uow,
                transfer.to_warehouse_id,
                line,
                MovementKind.TRANSFER_IN,
                outcome.arrived,
                f"transfer from {source}",
                transfer,
                principal,
            )
            assert added is not None, "adding stock is never refused"
            arrived.append(line.product_id)
        now = _now()
        transfer.status = plan.status.value
        if plan.status is TransferStatus.RECEIVED:
            transfer.received_at = now
        transfer.updated_at = now
        transfer.updated_by = principal.actor
        await uow.flush()
        view = await _view(uow, transfer)
        record_change(
            uow,
            principal.actor,
            "transfer",
            transfer.id,
            plan.status.value,
            before,
            _after(view),
            event="transfer.received",
            payload=_after(view)
            | {
                "final": data.final,
                "arrived": jsonable(
                    [{"sku": str(o.key), "quantity": o.arrived} for o in plan.arrived]
                ),
            },
        )
        if arrived:
            uow.record(
                StockArrived(
                    actor=principal.actor, entity_id=transfer.number, product_ids=tuple(arrived)
                )
            )
        await uow.commit()
    return view


@retrying
async def cancel_transfer(
    uow: UnitOfWork, transfer_id: uuid.UUID, reason: str, principal: Principal
) -> TransferView:
    """Cancel a draft; once shipped, stock is on its way and the transfer must be received."""
    async with uow:
        transfer = await _locked(uow, transfer_id)
        check_can_cancel(transfer.status)
        before = _after(await _view(uow, transfer))
        now = _now()
        transfer.status = TransferStatus.CANCELLED.value
        transfer.cancelled_at = now
        transfer.cancel_reason = reason
        transfer.updated_at = now
        transfer.updated_by = principal.actor
        await uow.flush()
        view = await _view(uow, transfer)
        record_change(
            uow,
            principal.actor,
            "transfer",
            transfer.id,
            "cancelled",
            before,
            _after(view),
            event="transfer.cancelled",
        )
        await uow.commit()
    return view


async def get_transfer(uow: UnitOfWork, transfer_id: uuid.UUID) -> TransferView:
    async with uow:
        transfer = await uow.transfers.get(transfer_id)
        if transfer is None:
            raise NotFound(f"No transfer with id {transfer_id}.")
        return await _view(uow, transfer)


async def list_transfers(
    uow: UnitOfWork,
    *,
    status: str | None,
    from_warehouse: str | None,
    to_warehouse: str | None,
    reason: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[TransferView]:
    """Transfers newest first, each with its lines."""
    async with uow:
        from_id = (
            (await _warehouse_by_code(uow, from_warehouse, "from_warehouse")).id
            if from_warehouse
            else None
        )
        to_id = (
            (await _warehouse_by_code(uow, to_warehouse, "to_warehouse")).id
            if to_warehouse
            else None
        )
        page = await uow.transfers.page(
            filters=TransferFilters(status, from_id, to_id, reason), limit=limit, cursor=cursor
        )
        ids = [t.id for t in page.items]
        lines = await uow.transfers.lines_of(ids)
        codes = await uow.transfers.warehouse_codes(
            {t.from_warehouse_id for t in page.items} | {t.to_warehouse_id for t in page.items}
        )
    return PageResult(
        [
            TransferView(
                t,
                codes[t.from_warehouse_id],
                codes[t.to_warehouse_id],
                [TransferLineView.of(line) for line in lines[t.id]],
            )
            for t in page.items
        ],
        page.next_cursor,
    )
