"""Sales orders and their lines; order numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import (
    Base,
    IdMixin,
    Lookups,
    Quantity,
    TimestampMixin,
    VersionedMixin,
    first,
)
from app.repositories.numbering import DocumentCounter as DocumentCounter  # re-exported
from app.repositories.numbering import next_document_number
from app.repositories.pagination import PageResult, paginate
from app.repositories.search import contains

# The columns ``q`` searches (see ``OrderRepository.page``).
ORDER_SEARCH_COLUMNS = ("number", "customer_name", "customer_code", "external_ref")


class Order(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("channel", "external_ref", name="channel_external_ref"),
        Index("ix_orders_created_at_id", "created_at", "id"),
        Index("ix_orders_requested_date_id", "requested_delivery_date", "id"),
        Index("ix_orders_customer_created", "customer_id", "created_at"),
        # Each list filter with the keyset order of the list (newest first), so that a page
        # is one short index range scan however common or rare the value is.
        Index("ix_orders_status_created_at_id", "status", "created_at", "id"),
        Index("ix_orders_fulfillment_created_at_id", "fulfillment_status", "created_at", "id"),
        Index("ix_orders_billing_created_at_id", "billing_status", "created_at", "id"),
        Index("ix_orders_channel_created_at_id", "channel", "created_at", "id"),
        # Text search (``q``: substring, case-insensitive) uses trigram indexes on PostgreSQL
        # (pg_trgm, created by migration 0010); SQLite builds plain indexes from these.
        *(
            Index(
                f"ix_orders_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ORDER_SEARCH_COLUMNS
        ),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    customer_code: Mapped[str] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(String(200))
    ship_to: Mapped[dict[str, Any]]
    requested_delivery_date: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24))
    # Derived from the lines' quantities by app.domain.orders and rewritten with them in the
    # same transaction; kept as columns only so that lists can filter on them.
    fulfillment_status: Mapped[str] = mapped_column(String(24))
    billing_status: Mapped[str] = mapped_column(String(24))
    # How far its issued invoices are settled (app.domain.orders.Settlement), beside the lines.
    settlement: Mapped[str] = mapped_column(String(16), default="none")
    # Short-closed by sales: what is not shipped will not be, so the order can complete.
    short_closed_at: Mapped[datetime | None]
    short_close_reason: Mapped[str | None] = mapped_column(String(500))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    payment_status: Mapped[str | None] = mapped_column(String(24))
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    payment_amount: Mapped[Decimal | None]
    requires_price_approval: Mapped[bool] = mapped_column(default=False)
    # Review state: the holds in force, and the roles that must still approve, in order.
    holds: Mapped[list[str]] = mapped_column(default=list)
    pending_approvals: Mapped[list[str]] = mapped_column(default=list)
    next_approver: Mapped[str | None] = mapped_column(String(32), index=True)
    gross_before_discount: Mapped[Decimal]
    discount_total: Mapped[Decimal]
    net_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    total: Mapped[Decimal]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))


# Quantity of a line neither reserved nor shipped (as the backorder queries write it).
WAITING = "quantity_ordered - quantity_reserved - quantity_shipped > 0"


class OrderLine(IdMixin, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no", name="order_line_no"),
        CheckConstraint("quantity_ordered > 0", name="ordered_positive"),
        CheckConstraint(
            "quantity_reserved >= 0 AND quantity_shipped >= 0 AND quantity_delivered >= 0 "
            "AND quantity_invoiced >= 0 AND quantity_returned >= 0",
            name="quantities_not_negative",
        ),
        CheckConstraint(
            "quantity_reserved + quantity_shipped <= quantity_ordered", name="within_ordered"
        ),
        CheckConstraint("quantity_invoiced <= quantity_shipped", name="invoiced_within_shipped"),
        CheckConstraint("quantity_delivered <= quantity_shipped", name="delivered_within_shipped"),
        CheckConstraint(
            "quantity_returned <= quantity_delivered", name="returned_within_delivered"
        ),
        CheckConstraint(
            "quantity_credited >= 0 AND quantity_credited <= quantity_invoiced",
            name="credited_within_invoiced",
        ),
        # Lines still waiting for stock (backorders and lines of unreviewed orders), by SKU in
        # keyset order: the backorder list filtered by SKU reads only these.
        Index(
            "ix_order_lines_waiting_sku_id",
            "sku",
            "id",
            postgresql_where=text(WAITING),
            sqlite_where=text(WAITING),
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity_ordered: Mapped[Decimal] = mapped_column(Quantity)
    quantity_reserved: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quantity_shipped: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quantity_delivered: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quantity_invoiced: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quantity_returned: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quantity_credited: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    unit_price: Mapped[Decimal]
    price_source: Mapped[str] = mapped_column(String(24))
    below_floor: Mapped[bool] = mapped_column(default=False)
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    gross_before_discount: Mapped[Decimal]
    discount: Mapped[Decimal]
    net: Mapped[Decimal]
    tax: Mapped[Decimal]
    total: Mapped[Decimal]


class OrderRepository(Lookups[Order]):
    """Orders and their lines. Within one unit of work an order locked (or added) once is
    not locked again, and its lines are read once: a reaction on the bus that loads the order
    its command just changed costs no statement."""

    model = Order
    noun = "order"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._locked: dict[uuid.UUID, Order] = {}
        self._lines: dict[uuid.UUID, list[OrderLine]] = {}

    async def get(self, order_id: uuid.UUID) -> Order | None:
        held = self._locked.get(order_id)
        return held if held is not None else await self.session.get(Order, order_id)

    async def get_for_update(self, order_id: uuid.UUID) -> Order | None:
        held = self._locked.get(order_id)
        if held is not None:
            return held
        stmt = select(Order).where(Order.id == order_id).with_for_update()
        order = await first(self.session, stmt)
        if order is not None:
            self._locked[order_id] = order
        return order

    async def get_by_number(self, number: str) -> Order | None:
        return await first(self.session, select(Order).where(Order.number == number))

    async def get_by_external_ref(self, channel: str, external_ref: str) -> Order | None:
        return await first(
            self.session,
            select(Order).where(Order.channel == channel, Order.external_ref == external_ref),
        )

    async def lines(self, order_id: uuid.UUID) -> list[OrderLine]:
        """The order's lines by line number (the same list again within this unit of work)."""
        known = self._lines.get(order_id)
        if known is not None:
            return list(known)
        rows = await self.session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
        )
        loaded = list(rows)
        self._lines[order_id] = loaded
        return list(loaded)

    def add(self, order: Order) -> None:
        self.session.add(order)
        self._locked[order.id] = order
        self._lines[order.id] = []

    def add_line(self, line: OrderLine) -> None:
        self.session.add(line)
        known = self._lines.get(line.order_id)
        if known is not None:
            known.append(line)
            known.sort(key=lambda x: x.line_no)

    async def delete_line(self, line: OrderLine) -> None:
        await self.session.delete(line)
        known = self._lines.get(line.order_id)
        if known is not None and line in known:
            known.remove(line)

    async def next_number(self, also: Sequence[str] = ()) -> int:
        """The next order sequence number; ``also``: the document types the command will
        number next (see ``repositories.numbering``)."""
        return await next_document_number(self.session, "order", "order_number_seq", also)

    async def page(
        self,
        *,
        filters: OrderFilters,
        sort: str,
        limit: int,
        cursor: str | None,
    ) -> PageResult[Order]:
        stmt = select(Order)
        f = filters
        if f.status:
            stmt = stmt.where(Order.status == f.status)
        if f.fulfillment_status:
            stmt = stmt.where(Order.fulfillment_status == f.fulfillment_status)
        if f.billing_status:
            stmt = stmt.where(Order.billing_status == f.billing_status)
        if f.customer_id:
            stmt = stmt.where(Order.customer_id == f.customer_id)
        if f.completed is not None:
            done = (Order.fulfillment_status == "delivered") & (Order.billing_status == "paid")
            stmt = stmt.where(done if f.completed else ~done)
        if f.channel:
            stmt = stmt.where(Order.channel == f.channel)
        if f.created_from:
            stmt = stmt.where(Order.created_at >= f.created_from)
        if f.created_to:
            stmt = stmt.where(Order.created_at < f.created_to)
        if f.q:
            stmt = stmt.where(
                contains(f.q, *(getattr(Order, column) for column in ORDER_SEARCH_COLUMNS))
            )
        if sort == "requested_delivery_date":
            stmt = stmt.where(Order.requested_delivery_date.is_not(None))
            columns = [Order.requested_delivery_date, Order.id]
            return await paginate(self.session, stmt, columns, limit=limit, cursor=cursor)
        return await paginate(
            self.session,
            stmt,
            [Order.created_at, Order.id],
            limit=limit,
            cursor=cursor,
            descending=True,
        )


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    fulfillment_status: str | None = None
    billing_status: str | None = None
    customer_id: uuid.UUID | None = None
    channel: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None
    # Completed: delivered and paid (both derived status columns, so the status indexes serve).
    completed: bool | None = None
