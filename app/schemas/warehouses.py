"""Warehouses and bin locations."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.schemas.common import Address, AddressRead, Code, DecimalOut, Name, Priority, Schema
from app.schemas.patch import Patch
from app.services.warehouses.commands import CreateWarehouse, SetBinLocation, UpdateWarehouse

Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)]
BinCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^[A-Za-z0-9]{1,16}-[A-Za-z0-9]{1,16}-[A-Za-z0-9]{1,16}-[A-Za-z0-9]{1,16}$",
    ),
]


class WarehouseCreate(Schema):
    code: Code
    name: Name
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    priority: Priority = 100
    active: bool = True

    def to_command(self, principal: Principal) -> CreateWarehouse:
        values: dict[str, Any] = self.model_dump(exclude_unset=True)
        return CreateWarehouse(principal=principal, **values)


class WarehouseUpdate(Schema):
    """Fields left out stay as they are; address and coordinates may be cleared with null."""

    name: Patch[Name] = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    priority: Patch[Priority] = None
    active: Patch[bool] = None

    def to_command(
        self, principal: Principal, warehouse_id: uuid.UUID, expected_version: int
    ) -> UpdateWarehouse:
        return UpdateWarehouse(
            principal=principal,
            warehouse_id=warehouse_id,
            expected_version=expected_version,
            changes=self.model_dump(exclude_unset=True),
        )


class WarehouseRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    address: AddressRead | None
    latitude: DecimalOut | None
    longitude: DecimalOut | None
    priority: int
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class BinLocationSet(Schema):
    location: BinCode = Field(description="zone-aisle-shelf-bin, e.g. A-03-2-07")

    def to_command(self, principal: Principal, warehouse_id: uuid.UUID, sku: str) -> SetBinLocation:
        return SetBinLocation(
            principal=principal, warehouse_id=warehouse_id, sku=sku, location=self.location
        )


class BinLocationRead(Schema):
    warehouse_id: uuid.UUID
    sku: str
    location: str
    zone: str
    aisle: str
    shelf: str
    bin: str
