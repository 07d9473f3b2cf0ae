"""Warehouses and bin locations."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from app.schemas.common import Address, AddressRead, Code, DecimalOut, Name, Priority, Schema
from app.schemas.patch import Patch

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


class WarehouseUpdate(Schema):
    """Fields left out stay as they are; address and coordinates may be cleared with null."""

    name: Patch[Name] = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    priority: Patch[Priority] = None
    active: Patch[bool] = None


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


class BinLocationRead(Schema):
    warehouse_id: uuid.UUID
    sku: str
    location: str
    zone: str
    aisle: str
    shelf: str
    bin: str
