"""Returns (RMA): the return, its lines, and what each line's quantities became (received,
restocked, quarantined, scrapped, released from quarantine)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.after_sales.returns import CLAIMING, ReturnStatus
from app.repositories.base import (
    Base,
    IdMixin,
    Lookups,
    Money,
    Quantity,
    VersionedMixin,
    snapshot,
)
from app.repositories.numbering import next_document_number
from app.repositories.orders import OrderLine
from app.repositories.pagination import PageResult, paginate
from app.repositories.shipments import Shipment, ShipmentLine


class Return(IdMixin, VersionedMixin, Base):
    __tablename__ = "returns"
    __table_args__ = (Index("ix_returns_requested", "requested_at", "id"),)

    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    reason_note: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    approval: Mapped[str | None] = mapped_column(String(16))  # automatic | manual
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime | None]
    received_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
    # How the goods come back: a carrier's return label, or an own-fleet pickup.
    carrier_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("carriers.id"), index=True)
    carrier_service: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(64), index=True)
    carrier_shipment_id: Mapped[str | None] = mapped_column(String(64))
    label_status: Mapped[str | None] = mapped_column(String(16))
    label_price: Mapped[Decimal | None] = mapped_column(Money)
    label_content_type: Mapped[str | None] = mapped_column(String(64))
    label_document: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    label_error: Mapped[str | None] = mapped_column(String(500))
    tracking_status: Mapped[str | None] = mapped_column(String(32))
    tracking_status_at: Mapped[datetime | None]
    pickup_on: Mapped[date | None]
    # What the resolution made: the credit note and refund, or the new order.
    credit_note_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("credit_notes.id"))
    refund_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("refunds.id"))
    refunded_amount: Mapped[Decimal | None] = mapped_column(Money)
    resolution_order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("orders.id"), index=True
    )
    # The return label's purchase (its stable idempotency key and the rate it buys) and the
    # own-fleet pickup's time window and note.
    label_key: Mapped[str | None] = mapped_column(String(64))
    label_rate: Mapped[dict[str, Any] | None]
    pickup_window: Mapped[str | None] = mapped_column(String(32))
    pickup_note: Mapped[str | None] = mapped_column(String(500))


# Never in an event or audit image: the label's bytes.
HIDDEN = ("label_document",)


def return_image(ret: Return, lines: list[ReturnLine]) -> dict[str, Any]:
    """The return and its lines, JSON-safe (audit images and outbox payloads)."""
    data = snapshot(ret, exclude=HIDDEN)
    data["lines"] = [snapshot(x) for x in lines]
    return data


class ReturnLine(IdMixin, Base):
    __tablename__ = "return_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "restocked >= 0 AND quarantined >= 0 AND scrapped >= 0 AND released >= 0 "
            "AND quarantine_scrapped >= 0 AND credited >= 0",
            name="quantities_not_negative",
        ),
        CheckConstraint(
            "released + quarantine_scrapped <= quarantined", name="quarantine_within_held"
        ),
    )

    return_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("returns.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int]
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_value: Mapped[Decimal] = mapped_column(Money)
    exchange_product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"))
    received: Mapped[Decimal | None] = mapped_column(Quantity)
    restocked: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quarantined: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    scrapped: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    released: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quarantine_scrapped: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    credited: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    difference_reason: Mapped[str | None] = mapped_column(String(500))
    scrap_reason: Mapped[str | None] = mapped_column(String(500))


@dataclass(frozen=True)
class ReturnFilter:
    status: str | None = None
    order_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None


class ReturnRepository(Lookups[Return]):
    """Returns and their lines. Helpers of a capability add intent-named methods here."""

    model = Return
    noun = "return"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self) -> int:
        return await next_document_number(self.session, "return")

    async def get_for_update(self, row_id: uuid.UUID) -> Return | None:
        """The return, locked and read again: a use case that read it before taking the
        order's lock sees what a transaction it waited for committed."""
        stmt = (
            select(Return)
            .where(Return.id == row_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def resolved_by_order(self, order_id: uuid.UUID) -> Return | None:
        """The return that ``order_id`` replaces or exchanges goods for, if any."""
        stmt = select(Return).where(Return.resolution_order_id == order_id)
        return (await self.session.scalars(stmt)).first()

    def add(self, row: Return | ReturnLine) -> None:
        self.session.add(row)

    async def lines(self, return_id: uuid.UUID) -> list[ReturnLine]:
        stmt = select(ReturnLine).where(ReturnLine.return_id == return_id)
        return list((await self.session.scalars(stmt.order_by(ReturnLine.line_no))).all())

    async def lines_of(
        self, return_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[ReturnLine]]:
        """The lines of several returns at once (a page of them)."""
        out: dict[uuid.UUID, list[ReturnLine]] = {x: [] for x in return_ids}
        if not return_ids:
            return out
        stmt = select(ReturnLine).where(ReturnLine.return_id.in_(return_ids))
        for x in (await self.session.scalars(stmt.order_by(ReturnLine.line_no))).all():
            out[x.return_id].append(x)
        return out

    async def claimed(
        self, order_line_ids: Collection[uuid.UUID], *, excluding: uuid.UUID | None = None
    ) -> dict[uuid.UUID, Decimal]:
        """Per order line, what open returns (requested or approved, not yet received) ask
        for, other than the return ``excluding``."""
        if not order_line_ids:
            return {}
        stmt = (
            select(ReturnLine.order_line_id, func.coalesce(func.sum(ReturnLine.quantity), 0))
            .join(Return, Return.id == ReturnLine.return_id)
            .where(
                ReturnLine.order_line_id.in_(order_line_ids),
                Return.status.in_([s.value for s in CLAIMING]),
            )
            .group_by(ReturnLine.order_line_id)
        )
        if excluding is not None:
            stmt = stmt.where(Return.id != excluding)
        rows = await self.session.execute(stmt)
        return {line_id: Decimal(total) for line_id, total in rows.all()}

    async def deliveries(
        self, order_line_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[datetime, uuid.UUID]]:
        """Per order line, its latest delivery: when, and the warehouse that shipped it."""
        if not order_line_ids:
            return {}
        stmt = (
            select(ShipmentLine.order_line_id, Shipment.delivered_at, Shipment.warehouse_id)
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(
                ShipmentLine.order_line_id.in_(order_line_ids),
                Shipment.delivered_at.is_not(None),
            )
        )
        out: dict[uuid.UUID, tuple[datetime, uuid.UUID]] = {}
        for line_id, at, warehouse_id in (await self.session.execute(stmt)).all():
            if line_id not in out or at > out[line_id][0]:
                out[line_id] = (at, warehouse_id)
        return out

    async def quarantine(
        self, warehouse_id: uuid.UUID | None, *, limit: int, cursor: str | None
    ) -> PageResult[tuple[Return, ReturnLine]]:
        """Return lines holding goods in quarantine (with their return), by line id."""
        holding = ReturnLine.quarantined - ReturnLine.released - ReturnLine.quarantine_scrapped
        stmt = select(ReturnLine).join(Return, ReturnLine.return_id == Return.id).where(holding > 0)
        if warehouse_id is not None:
            stmt = stmt.where(Return.warehouse_id == warehouse_id)
        page = await paginate(self.session, stmt, [ReturnLine.id], limit=limit, cursor=cursor)
        ids = {x.return_id for x in page.items}
        returns = (
            {
                r.id: r
                for r in (
                    await self.session.scalars(select(Return).where(Return.id.in_(ids)))
                ).all()
            }
            if ids
            else {}
        )
        return PageResult([(returns[x.return_id], x) for x in page.items], page.next_cursor)

    async def returned_mismatches(self) -> list[tuple[uuid.UUID, Decimal, Decimal]]:
        """(line, quantity_returned, what its received returns took back) wherever an order
        line disagrees with its returns (``lading check``)."""
        sums = (
            select(ReturnLine.order_line_id, func.sum(ReturnLine.received).label("total"))
            .join(Return, Return.id == ReturnLine.return_id)
            .where(Return.status.in_([ReturnStatus.RECEIVED.value, ReturnStatus.RESOLVED.value]))
            .group_by(ReturnLine.order_line_id)
            .subquery()
        )
        total = func.coalesce(sums.c.total, 0)
        stmt = (
            select(OrderLine.id, OrderLine.quantity_returned, total)
            .outerjoin(sums, sums.c.order_line_id == OrderLine.id)
            .where(OrderLine.quantity_returned != total)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [(i, Decimal(r), Decimal(t)) for i, r, t in rows]

    async def page(self, f: ReturnFilter, *, limit: int, cursor: str | None) -> PageResult[Return]:
        """Returns, newest first."""
        stmt = select(Return)
        if f.status:
            stmt = stmt.where(Return.status == f.status)
        if f.order_id:
            stmt = stmt.where(Return.order_id == f.order_id)
        if f.customer_id:
            stmt = stmt.where(Return.customer_id == f.customer_id)
        if f.case_id:
            stmt = stmt.where(Return.case_id == f.case_id)
        return await paginate(
            self.session,
            stmt,
            [Return.requested_at, Return.id],
            limit=limit,
            cursor=cursor,
            descending=True,
        )

    async def delivered_shipment(self, order_id: uuid.UUID) -> Shipment | None:
        """The order's latest delivered shipment (whose ship-to the goods come back from)."""
        stmt = (
            select(Shipment)
            .where(Shipment.order_id == order_id, Shipment.delivered_at.is_not(None))
            .order_by(Shipment.delivered_at.desc(), Shipment.id)
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    async def for_tracking_update(
        self, carrier_id: uuid.UUID, tracking_numbers: Collection[str]
    ) -> list[Return]:
        """The carrier's returns with these return-label tracking numbers, locked (PostgreSQL)
        in id order, as the tracking webhooks lock shipments."""
        if not tracking_numbers:
            return []
        stmt = (
            select(Return)
            .where(
                Return.carrier_id == carrier_id,
                Return.tracking_number.in_(sorted(tracking_numbers)),
            )
            .order_by(Return.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def label_of(self, return_id: uuid.UUID) -> tuple[str, bytes] | None:
        """The bought return label's content type and document."""
        stmt = select(Return.label_content_type, Return.label_document).where(
            Return.id == return_id, Return.label_status == "purchased"
        )
        row = (await self.session.execute(stmt)).first()
        if row is None or row[0] is None or row[1] is None:
            return None
        return row[0], bytes(row[1])
