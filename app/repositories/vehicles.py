"""The own fleet's vehicles, each based at a depot (a warehouse)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import time
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Time, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, TimestampMixin, VersionedMixin, first
from app.repositories.pagination import PageResult, paginate
from app.repositories.warehouses import Warehouse


def _general() -> list[str]:
    return ["general"]


class Vehicle(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A vehicle of the own fleet. Its shift lies within one day (local time at the depot);
    ``max_route_minutes`` None means a route may last the whole shift. Costs are in
    ``currency``: per route used, per km driven, per hour on the road."""

    __tablename__ = "vehicles"
    __table_args__ = (
        CheckConstraint("capacity_kg > 0 AND capacity_m3 > 0", name="capacity_positive"),
        CheckConstraint("shift_end > shift_start", name="shift_within_day"),
        CheckConstraint(
            "max_route_minutes IS NULL OR max_route_minutes > 0", name="max_route_positive"
        ),
        CheckConstraint(
            "fixed_cost >= 0 AND cost_per_km >= 0 AND cost_per_hour >= 0",
            name="costs_not_negative",
        ),
    )

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    depot_warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    plate: Mapped[str | None] = mapped_column(String(32))
    capacity_kg: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    capacity_m3: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    max_route_minutes: Mapped[int | None] = mapped_column(Integer)
    fixed_cost: Mapped[Decimal] = mapped_column(default=Decimal(0))
    cost_per_km: Mapped[Decimal] = mapped_column(default=Decimal(0))
    cost_per_hour: Mapped[Decimal] = mapped_column(default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    goods_classes: Mapped[list[str]] = mapped_column(default=_general)
    # The driver the manifest (派车单) names.
    driver_name: Mapped[str | None] = mapped_column(String(200))
    driver_phone: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(default=True, index=True)


class VehicleRepository(Lookups[Vehicle]):
    model = Vehicle
    noun = "vehicle"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Vehicle | None:
        return await first(self.session, select(Vehicle).where(Vehicle.code == code))

    def add(self, vehicle: Vehicle) -> None:
        self.session.add(vehicle)

    async def page(
        self,
        *,
        depot_warehouse_id: uuid.UUID | None,
        active: bool | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[Vehicle]:
        """Vehicles by code, of one depot and by active flag when given."""
        stmt = select(Vehicle)
        if depot_warehouse_id is not None:
            stmt = stmt.where(Vehicle.depot_warehouse_id == depot_warehouse_id)
        if active is not None:
            stmt = stmt.where(Vehicle.active == active)
        return await paginate(self.session, stmt, [Vehicle.code], limit=limit, cursor=cursor)

    async def active_at_depot(self, depot_warehouse_id: uuid.UUID) -> list[Vehicle]:
        """The depot's active vehicles by code (a depot has a handful, never thousands)."""
        stmt = (
            select(Vehicle)
            .where(Vehicle.depot_warehouse_id == depot_warehouse_id, Vehicle.active.is_(True))
            .order_by(Vehicle.code)
        )
        return list((await self.session.scalars(stmt)).all())

    async def depot_codes(self, vehicles: Iterable[Vehicle]) -> dict[uuid.UUID, str]:
        """The warehouse code of each vehicle's depot, by warehouse id."""
        ids = {v.depot_warehouse_id for v in vehicles}
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Warehouse.id, Warehouse.code).where(Warehouse.id.in_(ids))
        )
        return dict(rows.tuples().all())
