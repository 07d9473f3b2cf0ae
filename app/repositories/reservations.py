"""The reservation ledger: which order line holds how much of which warehouse's stock.

``stock_levels.reserved`` always equals the sum of these rows for its (warehouse, product);
both change together, in one transaction, through this repository."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Quantity, first, utcnow
from app.repositories.stock import StockLevel


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


# PostgreSQL: every row's guarded increment in one statement, its text the same for any
# number of rows (the rows travel as arrays), so the driver prepares it once per connection and
# nothing is compiled per order (a VALUES list of rows is not cacheable by SQLAlchemy).
RESERVE_ALL = """
UPDATE stock_levels SET reserved = stock_levels.reserved + wanted.quantity,
    updated_at = $1::timestamptz
FROM unnest($2::uuid[], $3::uuid[], $4::numeric[]) AS wanted (warehouse_id, product_id, quantity)
WHERE stock_levels.warehouse_id = wanted.warehouse_id
  AND stock_levels.product_id = wanted.product_id
  AND stock_levels.on_hand - stock_levels.reserved >= wanted.quantity
"""


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
            warehouses, products, amounts = (list(c) for c in zip(*quantities, strict=True))
            connection = await self.session.connection()
            done = await connection.exec_driver_sql(
                RESERVE_ALL, (utcnow(), warehouses, products, amounts)
            )
            return bool(done.rowcount == len(quantities))
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
