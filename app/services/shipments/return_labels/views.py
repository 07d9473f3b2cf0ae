"""A return as its shipping shows it: the row and its carrier's code, and its audit image."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from app.repositories.base import jsonable
from app.repositories.returns import Return
from app.services.unit_of_work import UnitOfWork

SHIPPING_FIELDS = (
    "status",
    "method",
    "carrier_service",
    "tracking_number",
    "carrier_shipment_id",
    "label_status",
    "label_price",
    "label_error",
    "tracking_status",
    "tracking_status_at",
    "pickup_on",
    "pickup_window",
    "pickup_note",
)


@dataclass(frozen=True)
class ReturnShipping:
    ret: Return
    carrier_code: str | None

    @property
    def label_currency(self) -> str | None:
        return (self.ret.label_rate or {}).get("currency")


async def load_view(uow: UnitOfWork, ret: Return) -> ReturnShipping:
    carrier = await uow.carriers.get(ret.carrier_id) if ret.carrier_id else None
    return ReturnShipping(ret, carrier.code if carrier else None)


async def locked_return(uow: UnitOfWork, return_id: uuid.UUID) -> Return:
    return await uow.returns.get_for_update_or_raise(return_id)


def audit_image(view: ReturnShipping) -> dict[str, Any]:
    image = {k: getattr(view.ret, k) for k in SHIPPING_FIELDS}
    image |= {"number": view.ret.number, "carrier": view.carrier_code}
    return dict(jsonable(image))
