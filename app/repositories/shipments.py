"""Shipments (发货单): the goods lines and packages leaving a warehouse for one order."""

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
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, undefer

from app.repositories.base import (
    Base,
    IdMixin,
    Lookups,
    Quantity,
    TimestampMixin,
    VersionedMixin,
    first,
)
from app.repositories.invoices import InvoicedShipment
from app.repositories.numbering import next_document_number
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult, equals, newest_first
from app.repositories.picking import PickList, PickListItem


class Shipment(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "shipments"
    __table_args__ = (Index("ix_shipments_created_at_id", "created_at", "id"),)

    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    carrier_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("carriers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    ship_to: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))
    verified_at: Mapped[datetime | None]
    verified_by: Mapped[str | None] = mapped_column(String(100))
    shipped_at: Mapped[datetime | None]
    shipped_by: Mapped[str | None] = mapped_column(String(100))
    vehicle_plate: Mapped[str | None] = mapped_column(String(32))
    driver: Mapped[str | None] = mapped_column(String(100))
    delivered_at: Mapped[datetime | None]
    delivered_by: Mapped[str | None] = mapped_column(String(100))
    receiver_name: Mapped[str | None] = mapped_column(String(200))
    signature: Mapped[str | None] = mapped_column(Text)
    # A photo of the handed-over goods (base64), loaded only when asked for.
    photo: Mapped[str | None] = mapped_column(Text, deferred=True)
    photo_content_type: Mapped[str | None] = mapped_column(String(32))
    # The last quote: every eligible carrier's rates and each failure (see services.labels).
    quote: Mapped[dict[str, Any] | None]
    # The label: none → pending (bought outside any transaction, retried by the worker) →
    # purchased, or failed (the carrier refused; choose another rate).
    label_status: Mapped[str] = mapped_column(String(16), default="none", index=True)
    label_key: Mapped[str | None] = mapped_column(String(64))
    label_rate: Mapped[dict[str, Any] | None]
    label_attempts: Mapped[int] = mapped_column(Integer, default=0)
    label_retry_at: Mapped[datetime | None] = mapped_column(index=True)
    label_reason: Mapped[str | None] = mapped_column(Text)
    tracking_number: Mapped[str | None] = mapped_column(String(64), index=True)
    # The carrier's own id of the shipment the label was bought on (EasyPost ``shp_...``).
    carrier_shipment_id: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(64))
    shipping_cost: Mapped[Decimal | None]
    shipping_currency: Mapped[str | None] = mapped_column(String(3))
    promised_date: Mapped[date | None]
    # The planned arrival of the own fleet's delivery plan (None until a plan holds it).
    promised_at: Mapped[datetime | None]
    label_content_type: Mapped[str | None] = mapped_column(String(100))
    label_document: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Tracking: the carrier's latest status by event time, and the public tracking token.
    tracking_status: Mapped[str | None] = mapped_column(String(24))
    tracking_status_at: Mapped[datetime | None]
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    tracked_at: Mapped[datetime | None]


class ShipmentEvent(IdMixin, Base):
    """One step of a shipment's tracking timeline, as the carrier (or Lading) reported it."""

    __tablename__ = "shipment_events"
    __table_args__ = (
        UniqueConstraint("shipment_id", "status", "occurred_at", name="shipment_event_once"),
        Index("ix_shipment_events_shipment_occurred", "shipment_id", "occurred_at"),
    )

    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime]


class CarrierInboxEntry(IdMixin, Base):
    """Each webhook a carrier delivered, kept once by (carrier, event id): a replayed or
    duplicated delivery finds its row and changes nothing."""

    __tablename__ = "carrier_inbox"
    __table_args__ = (UniqueConstraint("carrier_code", "event_id", name="carrier_event_once"),)

    carrier_code: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(200))


class ShipmentLine(IdMixin, Base):
    """What of one order line the shipment carries."""

    __tablename__ = "shipment_lines"
    __table_args__ = (
        UniqueConstraint("shipment_id", "order_line_id", name="shipment_order_line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Quantity)


class ShipmentPackage(IdMixin, Base):
    __tablename__ = "shipment_packages"
    __table_args__ = (UniqueConstraint("shipment_id", "package_no", name="shipment_package_no"),)

    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    package_no: Mapped[int] = mapped_column(Integer)
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    length_cm: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    width_cm: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    height_cm: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    contents: Mapped[list[dict[str, Any]]]


@dataclass(frozen=True)
class ShipmentFilters:
    order_id: uuid.UUID | None = None
    warehouse_id: uuid.UUID | None = None
    status: str | None = None


class ShipmentRepository(Lookups[Shipment]):
    model = Shipment
    noun = "shipment"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_update(self, shipment_id: uuid.UUID) -> Shipment | None:
        """The shipment, locked (PostgreSQL), so that two confirmations take turns."""
        stmt = (
            select(Shipment)
            .where(Shipment.id == shipment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return await first(self.session, stmt)

    def add(self, shipment: Shipment) -> None:
        self.session.add(shipment)

    async def promise(self, arrivals: dict[uuid.UUID, tuple[date, datetime | None]]) -> None:
        """Set shipments' promised date and time (a delivery plan's arrivals), without
        touching their version: planning is not an edit of the delivery note."""
        for shipment_id, (day, at) in arrivals.items():
            await self.session.execute(
                update(Shipment)
                .where(Shipment.id == shipment_id)
                .values(promised_date=day, promised_at=at)
                .execution_options(synchronize_session=False)
            )

    def add_line(self, line: ShipmentLine) -> None:
        self.session.add(line)

    def add_package(self, package: ShipmentPackage) -> None:
        self.session.add(package)

    async def labels_due(self, now: datetime, limit: int) -> list[uuid.UUID]:
        """Shipments whose pending label purchase is due for another attempt, oldest first."""
        rows = await self.session.scalars(
            select(Shipment.id)
            .where(Shipment.label_status == "pending", Shipment.label_retry_at <= now)
            .order_by(Shipment.label_retry_at)
            .limit(limit)
        )
        return list(rows)

    async def line_shipment_mismatches(
        self, departed: Collection[str], delivered: str
    ) -> list[tuple[uuid.UUID, str, Decimal, Decimal]]:
        """(line, "shipped"|"delivered", the line's quantity, its shipments' sum) wherever an
        order line's shipped or delivered quantity disagrees with its shipments."""
        sums = (
            select(
                ShipmentLine.order_line_id,
                func.sum(
                    case((Shipment.status.in_(departed), ShipmentLine.quantity), else_=0)
                ).label("shipped"),
                func.sum(
                    case((Shipment.status == delivered, ShipmentLine.quantity), else_=0)
                ).label("delivered"),
            )
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .group_by(ShipmentLine.order_line_id)
            .subquery()
        )
        shipped = func.coalesce(sums.c.shipped, 0)
        delivered_sum = func.coalesce(sums.c.delivered, 0)
        stmt = (
            select(
                OrderLine.id,
                OrderLine.quantity_shipped,
                shipped,
                OrderLine.quantity_delivered,
                delivered_sum,
            )
            .outerjoin(sums, sums.c.order_line_id == OrderLine.id)
            .where(
                or_(
                    OrderLine.quantity_shipped != shipped,
                    OrderLine.quantity_delivered != delivered_sum,
                )
            )
        )
        out: list[tuple[uuid.UUID, str, Decimal, Decimal]] = []
        for line_id, q_shipped, s_shipped, q_delivered, s_delivered in (
            await self.session.execute(stmt)
        ).tuples():
            if Decimal(q_shipped) != Decimal(s_shipped):
                out.append((line_id, "shipped", Decimal(q_shipped), Decimal(s_shipped)))
            if Decimal(q_delivered) != Decimal(s_delivered):
                out.append((line_id, "delivered", Decimal(q_delivered), Decimal(s_delivered)))
        return out

    async def proof_of(self, shipment_id: uuid.UUID) -> Shipment | None:
        """The shipment with its photo loaded (proof of delivery)."""
        return await first(
            self.session,
            select(Shipment).where(Shipment.id == shipment_id).options(undefer(Shipment.photo)),
        )

    async def label_of(self, shipment_id: uuid.UUID) -> tuple[str, bytes] | None:
        """The bought label's content type and document."""
        row = (
            await self.session.execute(
                select(Shipment.label_content_type, Shipment.label_document).where(
                    Shipment.id == shipment_id, Shipment.label_status == "purchased"
                )
            )
        ).first()
        if row is None or row[0] is None or row[1] is None:
            return None
        return row[0], bytes(row[1])

    async def next_number(self) -> int:
        return await next_document_number(self.session, "shipment", "shipment_number_seq")

    async def lines_of(self, shipment_ids: Collection[uuid.UUID]) -> list[ShipmentLine]:
        if not shipment_ids:
            return []
        rows = await self.session.scalars(
            select(ShipmentLine)
            .where(ShipmentLine.shipment_id.in_(shipment_ids))
            .order_by(ShipmentLine.shipment_id, ShipmentLine.line_no)
        )
        return list(rows)

    async def packages_of(self, shipment_ids: Collection[uuid.UUID]) -> list[ShipmentPackage]:
        if not shipment_ids:
            return []
        rows = await self.session.scalars(
            select(ShipmentPackage)
            .where(ShipmentPackage.shipment_id.in_(shipment_ids))
            .order_by(ShipmentPackage.shipment_id, ShipmentPackage.package_no)
        )
        return list(rows)

    async def picked(
        self, order_id: uuid.UUID, warehouse_id: uuid.UUID, pick_list_status: str
    ) -> dict[uuid.UUID, Decimal]:
        """order line → what the warehouse's pick lists in that status picked for the order."""
        rows = await self.session.execute(
            select(PickListItem.order_line_id, func.coalesce(func.sum(PickListItem.picked), 0))
            .join(PickList, PickList.id == PickListItem.pick_list_id)
            .where(
                PickList.warehouse_id == warehouse_id,
                PickList.status == pick_list_status,
                PickListItem.order_id == order_id,
            )
            .group_by(PickListItem.order_line_id)
        )
        return {line_id: Decimal(total or 0) for line_id, total in rows.tuples()}

    async def shipped(
        self,
        warehouse_id: uuid.UUID,
        order_line_ids: Collection[uuid.UUID],
        statuses: Collection[str] | None = None,
    ) -> dict[uuid.UUID, Decimal]:
        """order line → what shipments from the warehouse (in ``statuses``, or any) carry."""
        if not order_line_ids:
            return {}
        stmt = (
            select(ShipmentLine.order_line_id, func.coalesce(func.sum(ShipmentLine.quantity), 0))
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(
                Shipment.warehouse_id == warehouse_id,
                ShipmentLine.order_line_id.in_(order_line_ids),
            )
            .group_by(ShipmentLine.order_line_id)
        )
        if statuses is not None:
            stmt = stmt.where(Shipment.status.in_(statuses))
        rows = await self.session.execute(stmt)
        return {line_id: Decimal(total or 0) for line_id, total in rows.tuples()}

    async def unbilled_of_customer(
        self, customer_id: uuid.UUID, departed: Collection[str], until: datetime
    ) -> list[tuple[uuid.UUID, str]]:
        """(shipment, its order's currency) of every departed shipment of the customer's
        orders shipped before ``until`` that no invoice bills yet, in id order (the lock
        order)."""
        billed = select(InvoicedShipment.shipment_id).where(
            InvoicedShipment.shipment_id == Shipment.id
        )
        stmt = (
            select(Shipment.id, Order.currency)
            .join(Order, Order.id == Shipment.order_id)
            .where(
                Order.customer_id == customer_id,
                Shipment.status.in_(list(departed)),
                Shipment.shipped_at < until,
                ~billed.exists(),
            )
            .order_by(Shipment.id)
        )
        return [(i, c) for i, c in (await self.session.execute(stmt)).tuples()]

    async def page(
        self, *, filters: ShipmentFilters, limit: int, cursor: str | None
    ) -> PageResult[Shipment]:
        """Shipments newest first."""
        conditions = equals(
            (Shipment.order_id, filters.order_id),
            (Shipment.warehouse_id, filters.warehouse_id),
            (Shipment.status, filters.status),
        )
        return await newest_first(self.session, Shipment, conditions, limit=limit, cursor=cursor)
