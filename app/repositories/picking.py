"""Pick lists (拣货单): what to take from which bin of a warehouse, for which orders."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    select,
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
from app.repositories.numbering import next_document_number
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult, equals, newest_first
from app.repositories.reservations import Reservation
from app.repositories.warehouses import BinLocation


class PickList(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "pick_lists"
    __table_args__ = (
        Index("ix_pick_lists_created_at_id", "created_at", "id"),
        Index("ix_pick_lists_warehouse_status", "warehouse_id", "status"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    picker: Mapped[str | None] = mapped_column(String(100), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))
    picked_at: Mapped[datetime | None]


class PickListLine(IdMixin, Base):
    """One stop on the walk: a product at its bin, with the total to take."""

    __tablename__ = "pick_list_lines"
    __table_args__ = (
        UniqueConstraint("pick_list_id", "line_no", name="pick_list_line_no"),
        UniqueConstraint("pick_list_id", "product_id", name="pick_list_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("picked >= 0 AND picked <= quantity", name="picked_within_quantity"),
    )

    pick_list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pick_lists.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    zone: Mapped[str | None] = mapped_column(String(16))
    aisle: Mapped[str | None] = mapped_column(String(16))
    shelf: Mapped[str | None] = mapped_column(String(16))
    bin: Mapped[str | None] = mapped_column(String(16))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    picked: Mapped[Decimal | None] = mapped_column(Quantity)


class PickListItem(IdMixin, Base):
    """The per-order breakdown of a line: how much of it is for which order line."""

    __tablename__ = "pick_list_items"
    __table_args__ = (
        UniqueConstraint("line_id", "order_line_id", name="line_order_line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("picked >= 0 AND picked <= quantity", name="picked_within_quantity"),
    )

    pick_list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pick_lists.id", ondelete="CASCADE"), index=True
    )
    line_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pick_list_lines.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    order_number: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    picked: Mapped[Decimal | None] = mapped_column(Quantity)


@dataclass(frozen=True)
class PickListFilters:
    warehouse_id: uuid.UUID | None = None
    status: str | None = None
    picker: str | None = None


@dataclass(frozen=True)
class ReservedLine:
    """An order line's reservation in one warehouse, with what a pick list needs of it."""

    order_id: uuid.UUID
    order_number: str
    order_line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    reserved: Decimal


class PickListRepository(Lookups[PickList]):
    model = PickList
    noun = "pick list"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_update(self, pick_list_id: uuid.UUID) -> PickList | None:
        """The pick list, locked (PostgreSQL) so that two confirmations take turns."""
        stmt = (
            select(PickList)
            .where(PickList.id == pick_list_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return await first(self.session, stmt)

    def add(self, pick_list: PickList) -> None:
        self.session.add(pick_list)

    def add_line(self, line: PickListLine) -> None:
        self.session.add(line)

    def add_item(self, item: PickListItem) -> None:
        self.session.add(item)

    async def next_number(self) -> int:
        return await next_document_number(self.session, "pick_list", "pick_list_number_seq")

    async def lines(self, pick_list_id: uuid.UUID) -> list[PickListLine]:
        rows = await self.session.scalars(
            select(PickListLine)
            .where(PickListLine.pick_list_id == pick_list_id)
            .order_by(PickListLine.line_no)
        )
        return list(rows)

    async def items(self, pick_list_ids: Collection[uuid.UUID]) -> list[PickListItem]:
        """Breakdown rows of these pick lists, in the order they were written per line."""
        if not pick_list_ids:
            return []
        rows = await self.session.scalars(
            select(PickListItem)
            .join(Order, Order.id == PickListItem.order_id)
            .where(PickListItem.pick_list_id.in_(pick_list_ids))
            .order_by(PickListItem.line_id, Order.created_at, Order.id, PickListItem.id)
        )
        return list(rows)

    async def lines_of(self, pick_list_ids: Collection[uuid.UUID]) -> list[PickListLine]:
        if not pick_list_ids:
            return []
        rows = await self.session.scalars(
            select(PickListLine)
            .where(PickListLine.pick_list_id.in_(pick_list_ids))
            .order_by(PickListLine.pick_list_id, PickListLine.line_no)
        )
        return list(rows)

    async def orders_on_open_lists(
        self, warehouse_id: uuid.UUID, order_ids: Collection[uuid.UUID], statuses: Collection[str]
    ) -> set[uuid.UUID]:
        """Which of these orders already are on a pick list of the warehouse in ``statuses``."""
        if not order_ids:
            return set()
        rows = await self.session.scalars(
            select(PickListItem.order_id)
            .join(PickList, PickList.id == PickListItem.pick_list_id)
            .where(
                PickList.warehouse_id == warehouse_id,
                PickList.status.in_(statuses),
                PickListItem.order_id.in_(order_ids),
            )
            .distinct()
        )
        return set(rows)

    async def wave_orders(
        self,
        warehouse_id: uuid.UUID,
        *,
        order_status: str,
        created_before: datetime,
        open_statuses: Collection[str],
        limit: int,
    ) -> list[uuid.UUID]:
        """Orders in ``order_status`` created before the cutoff that hold reservations in the
        warehouse and are on none of its open pick lists; oldest first."""
        on_open_list = (
            select(PickListItem.order_id)
            .join(PickList, PickList.id == PickListItem.pick_list_id)
            .where(PickList.warehouse_id == warehouse_id, PickList.status.in_(open_statuses))
        )
        holding = select(Reservation.order_id).where(Reservation.warehouse_id == warehouse_id)
        rows = await self.session.scalars(
            select(Order.id)
            .where(
                Order.status == order_status,
                Order.created_at < created_before,
                Order.id.in_(holding),
                Order.id.not_in(on_open_list),
            )
            .order_by(Order.created_at, Order.id)
            .limit(limit)
        )
        return list(rows)

    async def reserved_lines(
        self, warehouse_id: uuid.UUID, order_ids: Collection[uuid.UUID]
    ) -> list[ReservedLine]:
        """The reservations these orders hold in the warehouse, oldest order first."""
        if not order_ids:
            return []
        rows = await self.session.execute(
            select(
                Reservation.order_id,
                Order.number,
                Reservation.order_line_id,
                Reservation.product_id,
                OrderLine.sku,
                Reservation.quantity,
            )
            .join(Order, Order.id == Reservation.order_id)
            .join(OrderLine, OrderLine.id == Reservation.order_line_id)
            .where(Reservation.warehouse_id == warehouse_id, Reservation.order_id.in_(order_ids))
            .order_by(Order.created_at, Order.id, OrderLine.line_no)
        )
        return [ReservedLine(*row) for row in rows.tuples()]

    async def picked_not_shipped(
        self, warehouse_id: uuid.UUID, order_line_ids: Collection[uuid.UUID], status: str
    ) -> dict[uuid.UUID, Decimal]:
        """What earlier pick lists of the warehouse in ``status`` (picked, not yet shipped)
        already took for these order lines: it is not picked again."""
        if not order_line_ids:
            return {}
        rows = await self.session.execute(
            select(PickListItem.order_line_id, func.coalesce(func.sum(PickListItem.picked), 0))
            .join(PickList, PickList.id == PickListItem.pick_list_id)
            .where(
                PickList.warehouse_id == warehouse_id,
                PickList.status == status,
                PickListItem.order_line_id.in_(order_line_ids),
            )
            .group_by(PickListItem.order_line_id)
        )
        return {line_id: Decimal(total or 0) for line_id, total in rows.tuples()}

    async def bins(
        self, warehouse_id: uuid.UUID, product_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, BinLocation]:
        if not product_ids:
            return {}
        rows = await self.session.scalars(
            select(BinLocation).where(
                BinLocation.warehouse_id == warehouse_id, BinLocation.product_id.in_(product_ids)
            )
        )
        return {b.product_id: b for b in rows}

    async def page(
        self, *, filters: PickListFilters, limit: int, cursor: str | None
    ) -> PageResult[PickList]:
        """Pick lists newest first."""
        conditions = equals(
            (PickList.warehouse_id, filters.warehouse_id),
            (PickList.status, filters.status),
            (PickList.picker, filters.picker),
        )
        return await newest_first(self.session, PickList, conditions, limit=limit, cursor=cursor)
