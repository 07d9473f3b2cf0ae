"""Transfer orders between warehouses (调拨) and their lines; transfer numbers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, select
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
from app.repositories.pagination import PageResult, equals, newest_first
from app.repositories.warehouses import Warehouse


class Transfer(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("from_warehouse_id <> to_warehouse_id", name="different_warehouses"),
        Index("ix_transfers_created_at_id", "created_at", "id"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    from_warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    to_warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    # The sales order a consolidation transfer serves, if any.
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"), index=True)
    notes: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))
    shipped_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))


class TransferLine(IdMixin, Base):
    __tablename__ = "transfer_lines"
    __table_args__ = (
        UniqueConstraint("transfer_id", "line_no", name="transfer_line_no"),
        UniqueConstraint("transfer_id", "product_id", name="transfer_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "shipped_quantity >= 0 AND received_quantity >= 0 AND discrepancy_quantity >= 0",
            name="quantities_not_negative",
        ),
        CheckConstraint("shipped_quantity <= quantity", name="shipped_within_quantity"),
        CheckConstraint(
            "received_quantity + discrepancy_quantity <= shipped_quantity",
            name="received_within_shipped",
        ),
    )

    transfer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("transfers.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    shipped_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    received_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    # Shipped but declared lost on the final receipt (received less than shipped).
    discrepancy_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    discrepancy_note: Mapped[str | None] = mapped_column(String(500))


@dataclass(frozen=True)
class TransferFilters:
    status: str | None = None
    from_warehouse_id: uuid.UUID | None = None
    to_warehouse_id: uuid.UUID | None = None
    reason: str | None = None


class TransferRepository(Lookups[Transfer]):
    model = Transfer
    noun = "transfer"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_update(self, transfer_id: uuid.UUID) -> Transfer | None:
        """The transfer, locked (PostgreSQL) so that two ships or receipts take turns."""
        stmt = (
            select(Transfer)
            .where(Transfer.id == transfer_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return await first(self.session, stmt)

    async def lines(self, transfer_id: uuid.UUID) -> list[TransferLine]:
        rows = await self.session.scalars(
            select(TransferLine)
            .where(TransferLine.transfer_id == transfer_id)
            .order_by(TransferLine.line_no)
        )
        return list(rows)

    async def lines_of(self, transfer_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[TransferLine]]:
        out: dict[uuid.UUID, list[TransferLine]] = {t: [] for t in transfer_ids}
        if transfer_ids:
            rows = await self.session.scalars(
                select(TransferLine)
                .where(TransferLine.transfer_id.in_(transfer_ids))
                .order_by(TransferLine.transfer_id, TransferLine.line_no)
            )
            for line in rows:
                out[line.transfer_id].append(line)
        return out

    async def warehouse_codes(self, warehouse_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not warehouse_ids:
            return {}
        result = await self.session.execute(
            select(Warehouse.id, Warehouse.code).where(Warehouse.id.in_(warehouse_ids))
        )
        return dict(result.tuples().all())

    def add(self, transfer: Transfer) -> None:
        self.session.add(transfer)

    def add_line(self, line: TransferLine) -> None:
        self.session.add(line)

    async def next_number(self) -> int:
        """The next transfer sequence number (see ``repositories.numbering``)."""
        return await next_document_number(self.session, "transfer", "transfer_number_seq")

    async def page(
        self, *, filters: TransferFilters, limit: int, cursor: str | None
    ) -> PageResult[Transfer]:
        """Transfers newest first."""
        conditions = equals(
            (Transfer.status, filters.status),
            (Transfer.from_warehouse_id, filters.from_warehouse_id),
            (Transfer.to_warehouse_id, filters.to_warehouse_id),
            (Transfer.reason, filters.reason),
        )
        return await newest_first(self.session, Transfer, conditions, limit=limit, cursor=cursor)
