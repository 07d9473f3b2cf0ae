"""The driver manifest (派车单) of one route: stops in order with address, contact, window,
packages and goods, and the loading order."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.errors import NotFound
from app.repositories.base import jsonable
from app.services.routing.plan_views import load_plan
from app.services.unit_of_work import UnitOfWork


def _contact(customer: Any) -> dict[str, Any]:
    contacts = (customer.contacts if customer else None) or [{}]
    first = contacts[0]
    return {"name": first.get("name"), "phone": first.get("phone")}


async def driver_manifest(
    uow: UnitOfWork, plan_id: uuid.UUID, route_id: uuid.UUID
) -> dict[str, Any]:
    async with uow:
        plan = await load_plan(uow, plan_id)
        route = await uow.delivery_plans.route(plan.id, route_id)
        if route is None:
            raise NotFound(f"No route {route_id} on plan {plan.number}.")
        tz = ZoneInfo(plan.time_zone)
        stops = [x for x in await uow.delivery_plans.stops(plan.id) if x.route_id == route.id]
        ids = [x.shipment_id for x in stops]
        shipments = {s.id: s for s in await uow.shipments.get_many(ids)}
        orders = {
            o.id: o for o in await uow.orders.get_many(s.order_id for s in shipments.values())
        }
        customers = {
            c.id: c for c in await uow.customers.get_many(o.customer_id for o in orders.values())
        }
        lines = await uow.shipments.lines_of(ids)
        packages = await uow.shipments.packages_of(ids)
        vehicle = await uow.vehicles.get(route.vehicle_id)
        depot = await uow.warehouses.get(plan.depot_warehouse_id)
        assert vehicle is not None and depot is not None
        items = []
        for x in stops:
            s = shipments[x.shipment_id]
            order = orders[s.order_id]
            items.append(
                {
                    "seq": x.seq,
                    "stop_id": x.id,
                    "status": x.status,
                    "shipment_number": s.number,
                    "order_number": order.number,
                    "customer": order.customer_name,
                    "contact": _contact(customers.get(order.customer_id)),
                    "ship_to": s.ship_to,
                    "planned_arrival": x.planned_arrival.astimezone(tz),
                    "window_start": x.window_start.astimezone(tz) if x.window_start else None,
                    "window_end": x.window_end.astimezone(tz) if x.window_end else None,
                    "packages": [
                        {
                            "package_no": p.package_no,
                            "weight_kg": p.weight_kg,
                            "dimensions_cm": f"{p.length_cm}×{p.width_cm}×{p.height_cm}",
                        }
                        for p in packages
                        if p.shipment_id == s.id
                    ],
                    "goods": [
                        {"sku": g.sku, "name": g.name, "quantity": g.quantity}
                        for g in lines
                        if g.shipment_id == s.id
                    ],
                    "notes": order.notes,
                }
            )
        return {
            "plan_number": plan.number,
            "date": plan.plan_date,
            "route_no": route.route_no,
            "vehicle": {"id": vehicle.id, "code": vehicle.code, "plate": vehicle.plate},
            "driver": route.driver or vehicle.driver_name,
            "driver_phone": vehicle.driver_phone,
            "depot": {"id": depot.id, "code": depot.code},
            "depot_address": jsonable(depot.address),
            "planned_start": route.planned_start.astimezone(tz),
            "planned_end": route.planned_end.astimezone(tz),
            "distance_km": round(route.distance_m / 1000, 2),
            "stops": items,
            "loading_order": [
                shipments[x.shipment_id].number for x in reversed(stops) if x.status == "planned"
            ],
        }
