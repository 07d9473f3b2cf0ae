"""The reservation ledger: which order line holds how much of which warehouse's stock.

``stock_levels.reserved`` always equals the sum of these rows for its (warehouse, product);
both change together, in one transaction, through this repository."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
    column,
    delete,
    func,
    select,
    update,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Quantity, first, utcnow
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult, paginate
from app.repositories.products import Product
from app.repositories.stock import StockLevel
from app.repositories.warehouses import Warehouse


class Reservation(IdMixin, Base):
    __tablename__ = "reservations"
    __table_args__ = (
        UniqueConstraint("order_line_id", "warehouse_id", name="line_warehouse"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_reservations_product_warehouse", "product_id", "warehouse_id"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)


class OrderAllocation(IdMixin, Base):
    """One allocation decision with its explanation (warehouses considered, what each could
    fill, why this one) and suggested substitutes for short lines."""

    __tablename__ = "order_allocations"
    __table_args__ = (Index("ix_order_allocations_order_at", "order_id", "at"),)

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    strategy: Mapped[str] = mapped_column(String(24))
    policy: Mapped[str] = mapped_column(String(24))
    explanation: Mapped[dict[str, Any]]


class ReservationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def reserve_stock(self, quantities: list[tuple[uuid.UUID, uuid.UUID, Decimal]]) -> bool:
        """Raise ``reserved`` by each (warehouse, product, quantity) if that much is still
        available — all or nothing. The guard is in the statement itself (DESIGN §4): on
        PostgreSQL one ``UPDATE … FROM (VALUES …)`` for every row; elsewhere one guarded
        UPDATE per row. Returns False when any row lacked the stock (the caller rolls back)."""
        if not quantities:
            return True
        if self.session.bind.dialect.name == "postgresql":
            wanted = values(
                column("warehouse_id", Uuid()),
                column("product_id", Uuid()),
                column("quantity", Quantity),
                name="wanted",
            ).data(quantities)
            result = await self.session.execute(
                update(StockLevel)
                .where(
                    StockLevel.warehouse_id == wanted.c.warehouse_id,
                    StockLevel.product_id == wanted.c.product_id,
                    StockLevel.on_hand - StockLevel.reserved >= wanted.c.quantity,
                )
                .values(reserved=StockLevel.reserved + wanted.c.quantity, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount == len(quantities))  # type: ignore[attr-defined]
        for warehouse_id, product_id, quantity in quantities:
            result = await self.session.execute(
                update(StockLevel)
                .where(
                    StockLevel.warehouse_id == warehouse_id,
                    StockLevel.product_id == product_id,
                    StockLevel.on_hand - StockLevel.reserved >= quantity,
                )
                .values(reserved=StockLevel.reserved + quantity, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
        return True

    def add_reservation(
        self,
        *,
        order_id: uuid.UUID,
        order_line_id: uuid.UUID,
        warehouse_id: uuid.UUID,
        product_id: uuid.UUID,
        quantity: Decimal,
        expires_at: datetime | None,
    ) -> Reservation:
        """A new reservation row (its stock was reserved by ``reserve_stock``)."""
        reservation = Reservation(
            id=uuid.uuid4(),
            order_id=order_id,
            order_line_id=order_line_id,
            warehouse_id=warehouse_id,
            product_id=product_id,
            quantity=quantity,
            expires_at=expires_at,
            created_at=utcnow(),
        )
        self.session.add(reservation)
        return reservation

    async def for_order(self, order_id: uuid.UUID) -> list[Reservation]:
        rows = await self.session.scalars(
            select(Reservation)
            .where(Reservation.order_id == order_id)
            .order_by(Reservation.product_id, Reservation.warehouse_id)
        )
        return list(rows)

    async def release(self, reservation: Reservation, quantity: Decimal | None = None) -> Decimal:
        """Give back all (or ``quantity``) of a reservation; returns what was released."""
        amount = reservation.quantity if quantity is None else min(quantity, reservation.quantity)
        await self.session.execute(
            update(StockLevel)
            .where(
                StockLevel.warehouse_id == reservation.warehouse_id,
                StockLevel.product_id == reservation.product_id,
            )
            .values(reserved=StockLevel.reserved - amount, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if amount >= reservation.quantity:
            await self.session.execute(delete(Reservation).where(Reservation.id == reservation.id))
        else:
            reservation.quantity -= amount
        await self.session.flush()
        return amount

    async def lock_levels(self, pairs: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
        """Lock stock rows in one fixed order (product, then warehouse) before changing several,
        so that two transactions never wait on each other in a cycle (PostgreSQL only)."""
        if self.session.bind.dialect.name != "postgresql" or not pairs:
            return
        ordered = sorted(set(pairs), key=lambda p: (str(p[1]), str(p[0])))
        for warehouse_id, product_id in ordered:
            await self.session.execute(
                select(StockLevel.product_id)
                .where(StockLevel.warehouse_id == warehouse_id, StockLevel.product_id == product_id)
                .with_for_update()
            )

    async def expired_orders(self, now: datetime) -> list[uuid.UUID]:
        rows = await self.session.scalars(
            select(Reservation.order_id)
            .where(Reservation.expires_at.is_not(None), Reservation.expires_at <= now)
            .distinct()
            .limit(500)
        )
        return list(rows)

    async def clear_expiry(self, order_id: uuid.UUID) -> None:
        await self.session.execute(
            update(Reservation).where(Reservation.order_id == order_id).values(expires_at=None)
        )

    async def add_allocation(self, allocation: OrderAllocation) -> None:
        self.session.add(allocation)

    async def latest_allocation(self, order_id: uuid.UUID) -> OrderAllocation | None:
        return await first(
            self.session,
            select(OrderAllocation)
            .where(OrderAllocation.order_id == order_id)
            .order_by(OrderAllocation.at.desc(), OrderAllocation.id.desc()),
        )

    async def ledger_mismatches(self) -> list[tuple[uuid.UUID, uuid.UUID, Decimal, Decimal]]:
        """(warehouse, product, stock.reserved, ledger sum) wherever the two differ."""
        sums = (
            select(
                Reservation.warehouse_id,
                Reservation.product_id,
                func.sum(Reservation.quantity).label("total"),
            )
            .group_by(Reservation.warehouse_id, Reservation.product_id)
            .subquery()
        )
        stmt = (
            select(
                StockLevel.warehouse_id,
                StockLevel.product_id,
                StockLevel.reserved,
                func.coalesce(sums.c.total, 0),
            )
            .outerjoin(
                sums,
                (sums.c.warehouse_id == StockLevel.warehouse_id)
                & (sums.c.product_id == StockLevel.product_id),
            )
            .where(StockLevel.reserved != func.coalesce(sums.c.total, 0))
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [(w, p, Decimal(r), Decimal(t)) for w, p, r, t in rows]


@dataclass(frozen=True)
class WarehouseRow:
    id: uuid.UUID
    code: str
    priority: int
    latitude: Decimal | None
    longitude: Decimal | None


class AllocationRepository:
    """What allocation reads: warehouses, their available stock, and waiting order lines."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active_warehouses(self) -> list[WarehouseRow]:
        rows = await self.session.execute(
            select(
                Warehouse.id,
                Warehouse.code,
                Warehouse.priority,
                Warehouse.latitude,
                Warehouse.longitude,
            )
            .where(Warehouse.active.is_(True))
            .order_by(Warehouse.priority, Warehouse.code)
        )
        return [WarehouseRow(*r) for r in rows.tuples().all()]

    async def available(
        self, product_ids: list[uuid.UUID], *, lock: bool = False
    ) -> dict[uuid.UUID, dict[uuid.UUID, Decimal]]:
        """warehouse → product → on_hand − reserved, for these products.

        With ``lock`` (PostgreSQL) the products are locked as ``StockRepository.lock_products``
        does — serialising allocations and stock arrivals per product — and their stock rows
        with them, in one statement and one fixed order (product, then warehouse), so that two
        allocations never wait on each other in a cycle. A product without any stock row yet
        is locked on its own."""
        out: dict[uuid.UUID, dict[uuid.UUID, Decimal]] = {}
        if not product_ids:
            return out
        stmt = select(
            StockLevel.warehouse_id,
            StockLevel.product_id,
            StockLevel.on_hand - StockLevel.reserved,
        ).where(StockLevel.product_id.in_(product_ids))
        locking = lock and self.session.bind.dialect.name == "postgresql"
        if locking:
            stmt = (
                stmt.join(Product, Product.id == StockLevel.product_id)
                .order_by(StockLevel.product_id, StockLevel.warehouse_id)
                .with_for_update(of=[Product, StockLevel], key_share=True)
            )
        rows = await self.session.execute(stmt)
        for warehouse_id, product_id, free in rows.tuples().all():
            out.setdefault(warehouse_id, {})[product_id] = Decimal(str(free))
        if locking:
            seen = {p for levels in out.values() for p in levels}
            await self._lock_products(sorted(set(product_ids) - seen, key=str))
        return out

    async def _lock_products(self, product_ids: list[uuid.UUID]) -> None:
        if product_ids:
            await self.session.execute(
                select(Product.id)
                .where(Product.id.in_(product_ids))
                .order_by(Product.id)
                .with_for_update(key_share=True)
            )

    async def orders_waiting_for(self, product_ids: list[uuid.UUID], limit: int) -> list[uuid.UUID]:
        """Approved orders with backordered lines of these products, in the order they are
        served: priority (high first), requested date (earliest first, none last), age."""
        waiting = (
            OrderLine.quantity_ordered - OrderLine.quantity_reserved - OrderLine.quantity_shipped
        )
        stmt = (
            select(Order.id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(
                Order.status == "approved",
                Order.short_closed_at.is_(None),
                OrderLine.product_id.in_(product_ids),
                waiting > 0,
            )
            .group_by(Order.id, Order.priority, Order.requested_delivery_date, Order.created_at)
            .order_by(
                Order.priority.desc(),
                Order.requested_delivery_date.is_(None),
                Order.requested_delivery_date,
                Order.created_at,
                Order.id,
            )
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())

    async def backorders(
        self,
        *,
        sku: str | None,
        customer_id: uuid.UUID | None,
        created_before: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[OrderLine]:
        """Order lines of approved orders with quantity still unallocated, oldest first."""
        waiting = (
            OrderLine.quantity_ordered - OrderLine.quantity_reserved - OrderLine.quantity_shipped
        )
        stmt = (
            select(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status == "approved", Order.short_closed_at.is_(None), waiting > 0)
        )
        if sku:
            stmt = stmt.where(OrderLine.sku == sku)
        if customer_id:
            stmt = stmt.where(Order.customer_id == customer_id)
        if created_before:
            stmt = stmt.where(Order.created_at <= created_before)
        return await paginate(self.session, stmt, [OrderLine.id], limit=limit, cursor=cursor)

    async def orders_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Order]:
        rows = await self.session.scalars(select(Order).where(Order.id.in_(ids)))
        return {o.id: o for o in rows}

    async def line_reservation_mismatches(self) -> list[tuple[uuid.UUID, Decimal, Decimal]]:
        """(line, quantity_reserved, ledger sum) wherever an order line disagrees with its
        reservation rows."""
        sums = (
            select(Reservation.order_line_id, func.sum(Reservation.quantity).label("total"))
            .group_by(Reservation.order_line_id)
            .subquery()
        )
        stmt = (
            select(OrderLine.id, OrderLine.quantity_reserved, func.coalesce(sums.c.total, 0))
            .outerjoin(sums, sums.c.order_line_id == OrderLine.id)
            .where(OrderLine.quantity_reserved != func.coalesce(sums.c.total, 0))
        )
        return [
            (i, Decimal(r), Decimal(t))
            for i, r, t in (await self.session.execute(stmt)).tuples().all()
        ]

    async def all_line_quantities(self, after: uuid.UUID | None, limit: int) -> list[OrderLine]:
        """Order lines in id order, a batch at a time (for ``lading check``)."""
        stmt = select(OrderLine).order_by(OrderLine.id).limit(limit)
        if after is not None:
            stmt = stmt.where(OrderLine.id > after)
        return list((await self.session.scalars(stmt)).all())
