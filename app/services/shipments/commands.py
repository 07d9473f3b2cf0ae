"""The commands of the shipment use cases (routers build them from the request bodies)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.domain.auth import Principal
from app.domain.shipments import Quantity


@dataclass(frozen=True, kw_only=True)
class Package:
    """A packed parcel: its weight and size and the goods in it."""

    weight_kg: Decimal
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal
    contents: tuple[Quantity, ...]


@dataclass(frozen=True, kw_only=True)
class CreateShipment:
    """Ship picked goods of ``order_id`` from a warehouse (by code), packed; ``lines`` None
    ships everything picked there and not yet shipped; ``carrier`` None is the own fleet."""

    principal: Principal
    order_id: uuid.UUID
    warehouse: str
    packages: tuple[Package, ...]
    lines: tuple[Quantity, ...] | None = None
    carrier: str | None = None


@dataclass(frozen=True, kw_only=True)
class VerifyShipment:
    """The scanned goods."""

    principal: Principal
    shipment_id: uuid.UUID
    lines: tuple[Quantity, ...]


@dataclass(frozen=True, kw_only=True)
class ConfirmShipment:
    principal: Principal
    shipment_id: uuid.UUID
    shipped_at: datetime | None = None
    vehicle_plate: str | None = None
    driver: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeliverShipment:
    """An own-fleet hand-over; ``photo`` is (base64 image, content type)."""

    principal: Principal
    shipment_id: uuid.UUID
    receiver_name: str | None = None
    delivered_at: datetime | None = None
    signature: str | None = None
    photo: tuple[str, str] | None = None
