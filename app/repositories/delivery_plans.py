"""Delivery plans (运输计划), their routes and stops."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, TimestampMixin, VersionedMixin, first
from app.repositories.numbering import next_document_number
from app.repositories.pagination import PageResult, equals, newest_first
from app.repositories.shipments import Shipment

OPEN = ("planned", "arrived")


class DeliveryPlan(IdMixin, TimestampMixin, VersionedMixin, Base):
    """One depot's plan for one day; re-planning revises it in place (``revision``)."""

    __tablename__ = "delivery_plans"
    __table_args__ = (
        UniqueConstraint("depot_warehouse_id", "plan_date", name="delivery_plan_depot_day"),
        Index("ix_delivery_plans_created_at_id", "created_at", "id"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    depot_warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"))
    plan_date: Mapped[date] = mapped_column(Date, index=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(Integer)
    solver: Mapped[str] = mapped_column(String(32))
    solve_seconds: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    cost: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    # [{shipment_id, number, reason, message}] — the stops that could not be planned.
    unplanned: Mapped[list[dict[str, Any]]]
    # [{reason, at, by, note}] — why it was re-planned, newest last.
    replans: Mapped[list[dict[str, Any]]]
    # The travel matrix of its locations, kept so a re-plan asks the routing engine only for
    # new places: {"points": [[lat, lon], ...], "distance": [[m]], "duration": [[s]]}.
    matrix: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))


class DeliveryRoute(IdMixin, TimestampMixin, Base):
    """One vehicle's run of a plan."""

    __tablename__ = "delivery_routes"
    __table_args__ = (UniqueConstraint("plan_id", "route_no", name="delivery_route_no"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_plans.id", ondelete="CASCADE"), index=True
    )
    route_no: Mapped[int] = mapped_column(Integer)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    planned_start: Mapped[datetime]
    planned_end: Mapped[datetime]
    distance_m: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[int] = mapped_column(Integer)
    load_kg: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    load_m3: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    cost: Mapped[Decimal]
    driver: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime | None]
    started_by: Mapped[str | None] = mapped_column(String(100))
    finished_at: Mapped[datetime | None]
    broken_down_at: Mapped[datetime | None]


class DeliveryStop(IdMixin, Base):
    """One shipment's visit on a route; at most one open stop per shipment."""

    __tablename__ = "delivery_stops"
    __table_args__ = (
        Index(
            "uq_delivery_stops_open_shipment",
            "shipment_id",
            unique=True,
            postgresql_where=text("status IN ('planned', 'arrived')"),
            sqlite_where=text("status IN ('planned', 'arrived')"),
        ),
        Index("ix_delivery_stops_route_seq", "route_id", "seq"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_plans.id", ondelete="CASCADE"), index=True
    )
    route_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_routes.id", ondelete="CASCADE")
    )
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    planned_arrival: Mapped[datetime]
    planned_departure: Mapped[datetime]
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    wait_s: Mapped[int] = mapped_column(Integer)
    distance_m: Mapped[int] = mapped_column(Integer)
    packages: Mapped[int] = mapped_column(Integer)
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    volume_m3: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    arrived_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)


class DeliveryPlanRepository(Lookups[DeliveryPlan]):
    model = DeliveryPlan
    noun = "delivery plan"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self) -> int:
        return await next_document_number(self.session, "delivery_plan")

    def add(self, row: DeliveryPlan | DeliveryRoute | DeliveryStop) -> None:
        self.session.add(row)

    async def get_for_update(self, plan_id: uuid.UUID) -> DeliveryPlan | None:
        stmt = (
            select(DeliveryPlan)
            .where(DeliveryPlan.id == plan_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return await first(self.session, stmt)

    async def for_day(self, depot_id: uuid.UUID, day: date) -> DeliveryPlan | None:
        return await first(
            self.session,
            select(DeliveryPlan).where(
                DeliveryPlan.depot_warehouse_id == depot_id, DeliveryPlan.plan_date == day
            ),
        )

    async def matrix_of(self, plan_id: uuid.UUID) -> dict[str, Any]:
        value = await self.session.scalar(
            select(DeliveryPlan.matrix).where(DeliveryPlan.id == plan_id)
        )
        return dict(value or {})

    async def routes(self, plan_id: uuid.UUID) -> list[DeliveryRoute]:
        rows = await self.session.scalars(
            select(DeliveryRoute)
            .where(DeliveryRoute.plan_id == plan_id)
            .order_by(DeliveryRoute.route_no)
            .execution_options(populate_existing=True)
        )
        return list(rows)

    async def route(self, plan_id: uuid.UUID, route_id: uuid.UUID) -> DeliveryRoute | None:
        return await first(
            self.session,
            select(DeliveryRoute).where(
                DeliveryRoute.plan_id == plan_id, DeliveryRoute.id == route_id
            ),
        )

    async def stops(self, plan_id: uuid.UUID) -> list[DeliveryStop]:
        rows = await self.session.scalars(
            select(DeliveryStop)
            .where(DeliveryStop.plan_id == plan_id)
            .order_by(DeliveryStop.route_id, DeliveryStop.seq)
            .execution_options(populate_existing=True)
        )
        return list(rows)

    async def open_stop_of(self, shipment_id: uuid.UUID) -> DeliveryStop | None:
        return await first(
            self.session,
            select(DeliveryStop).where(
                DeliveryStop.shipment_id == shipment_id, DeliveryStop.status.in_(OPEN)
            ),
        )

    async def delete_stops(self, stop_ids: Collection[uuid.UUID]) -> None:
        if stop_ids:
            await self.session.execute(delete(DeliveryStop).where(DeliveryStop.id.in_(stop_ids)))

    async def delete_routes(self, route_ids: Collection[uuid.UUID]) -> None:
        if route_ids:
            await self.session.execute(delete(DeliveryRoute).where(DeliveryRoute.id.in_(route_ids)))

    async def candidates(self, depot_id: uuid.UUID) -> list[Shipment]:
        """The depot's own-fleet shipments ready to leave, and those whose delivery failed
        and came back (shipped, with a failed stop and no open one)."""
        failed = select(DeliveryStop.shipment_id).where(DeliveryStop.status == "failed")
        open_ = select(DeliveryStop.shipment_id).where(DeliveryStop.status.in_(OPEN))
        rows = await self.session.scalars(
            select(Shipment)
            .where(
                Shipment.warehouse_id == depot_id,
                Shipment.carrier_id.is_(None),
                (Shipment.status == "ready")
                | ((Shipment.status == "shipped") & Shipment.id.in_(failed)),
                Shipment.id.not_in(open_),
            )
            .order_by(Shipment.number)
            .limit(5000)
        )
        return list(rows)

    async def page(
        self,
        *,
        depot_id: uuid.UUID | None,
        plan_date: date | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[DeliveryPlan]:
        conditions = equals(
            (DeliveryPlan.depot_warehouse_id, depot_id), (DeliveryPlan.plan_date, plan_date)
        )
        return await newest_first(
            self.session, DeliveryPlan, conditions, limit=limit, cursor=cursor
        )
