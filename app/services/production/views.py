"""A production request as the API and its events show it: the request, the order lines it
serves, and its warehouse's code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.repositories.base import snapshot
from app.repositories.production import ProductionRequest, ProductionRequestLine
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ProductionView:
    request: ProductionRequest
    links: list[ProductionRequestLine]
    warehouse: str


def image(view: ProductionView) -> dict[str, Any]:
    data = snapshot(view.request)
    data["warehouse"] = view.warehouse
    data["links"] = [snapshot(x) for x in view.links]
    return data


async def load_view(uow: UnitOfWork, request: ProductionRequest) -> ProductionView:
    warehouse = await uow.warehouses.get_or_raise(request.warehouse_id)
    return ProductionView(request, await uow.production.links([request.id]), warehouse.code)
