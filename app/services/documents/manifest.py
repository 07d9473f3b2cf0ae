"""The driver manifest (派车单) of one delivery route as a printed document: vehicle, driver and
phone, depot, planned start and end, the stops in order (shipment number as a barcode,
receiver and address, contact and phone, window, planned arrival, packages and goods) and
the loading order — the data of ``GET …/routes/{route_id}/manifest``, read through the same
repositories. Drivers read Chinese unless the caller asks for English."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from app.domain.documents.formats import address, clock, day, local_time, quantity
from app.domain.documents.labels import label
from app.domain.documents.model import (
    Align,
    Barcode,
    Cell,
    Column,
    Document,
    Field,
    SignatureBoxes,
    Table,
)
from app.domain.errors import NotFound
from app.services.documents.options import PrintOptions, frame_of
from app.services.unit_of_work import UnitOfWork


def _contact(customer: Any) -> str:
    contacts = (customer.contacts if customer else None) or [{}]
    first = contacts[0]
    return " ".join(str(first[k]) for k in ("name", "phone") if first.get(k))


async def manifest_document(
    uow: UnitOfWork, plan_id: uuid.UUID, route_id: uuid.UUID, options: PrintOptions
) -> Document:
    """The manifest of route ``route_id`` of plan ``plan_id`` (404 when either is missing)."""
    async with uow:
        plan = await uow.delivery_plans.get_or_raise(plan_id)
        route = await uow.delivery_plans.route(plan.id, route_id)
        if route is None:
            raise NotFound(f"No route {route_id} on plan {plan.number}.")
        frame = await frame_of(uow, options, None)
        stops = [x for x in await uow.delivery_plans.stops(plan.id) if x.route_id == route.id]
        ids = [x.shipment_id for x in stops]
        shipments = {s.id: s for s in await uow.shipments.get_many(ids)}
        orders = {
            o.id: o for o in await uow.orders.get_many(s.order_id for s in shipments.values())
        }
        customers = {
            c.id: c for c in await uow.customers.get_many(o.customer_id for o in orders.values())
        }
        goods: dict[uuid.UUID, list[str]] = defaultdict(list)
        for g in await uow.shipments.lines_of(ids):
            goods[g.shipment_id].append(f"{g.sku} {g.name} × {quantity(g.quantity)}")
        packages: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for p in await uow.shipments.packages_of(ids):
            packages[p.shipment_id].append(p)
        vehicle = await uow.vehicles.get(route.vehicle_id)
        depot = await uow.warehouses.get(plan.depot_warehouse_id)
        assert vehicle is not None and depot is not None
    lang, zone = frame.language, plan.time_zone

    def t(key: str) -> str:
        return label(key, lang)

    rows: list[tuple[Cell, ...]] = []
    for x in stops:
        s = shipments[x.shipment_id]
        order = orders[s.order_id]
        window = (
            f"{clock(x.window_start, zone)}–{clock(x.window_end, zone)}"
            if x.window_start and x.window_end
            else ""
        )
        weight = sum((p.weight_kg for p in packages[s.id]), Decimal(0))
        parcels = f"{len(packages[s.id])} ({quantity(weight)} kg)" if packages[s.id] else ""
        notes = f"\n{t('notes')}: {order.notes}" if order.notes else ""
        rows.append(
            (
                str(x.seq),
                Barcode(s.number),
                f"{order.customer_name}\n{address(s.ship_to, lang)}{notes}",
                _contact(customers.get(order.customer_id)),
                window,
                clock(x.planned_arrival, zone),
                parcels,
                "\n".join(goods[s.id]),
            )
        )
    stop_table = Table(
        columns=(
            Column(t("stop_seq"), 0.04, Align.CENTER),
            # wide enough for bars of at least 0.25 mm (scanners read them off the page)
            Column(t("shipment"), 0.26),
            Column(t("receiver"), 0.22),
            Column(t("contact"), 0.11),
            Column(t("window"), 0.08),
            Column(t("planned_arrival"), 0.06),
            Column(t("parcels"), 0.08),
            Column(t("goods"), 0.15),
        ),
        rows=tuple(rows),
        title=t("stops"),
    )
    loading = [shipments[x.shipment_id] for x in reversed(stops) if x.status == "planned"]
    loading_table = Table(
        columns=(
            Column(t("stop_seq"), 0.08, Align.CENTER),
            Column(t("shipment"), 0.32),
            Column(t("receiver"), 0.48),
            Column(t("loaded"), 0.12, Align.CENTER),
        ),
        rows=tuple(
            (str(n), s.number, orders[s.order_id].customer_name, False)
            for n, s in enumerate(loading, start=1)
        ),
        title=t("loading_order"),
    )
    driver = route.driver or vehicle.driver_name or ""
    header = (
        Field(t("plan"), plan.number),
        Field(t("plan_date"), day(plan.plan_date)),
        Field(t("route"), str(route.route_no)),
        Field(t("vehicle"), f"{vehicle.code} {vehicle.plate or ''}".strip()),
        Field(t("driver"), driver),
        Field(t("driver_phone"), vehicle.driver_phone or ""),
        Field(t("depot"), f"{depot.code} {address(depot.address, lang)}".strip()),
        Field(t("distance"), f"{round(route.distance_m / 1000, 1)} km"),
        Field(t("planned_start"), local_time(route.planned_start, zone)),
        Field(t("planned_end"), local_time(route.planned_end, zone)),
    )
    return Document(
        title=t("manifest"),
        number=f"{plan.number}-{route.route_no}",
        company=frame.company,
        language=lang,
        page_size=frame.page_size,
        header=header,
        blocks=(
            stop_table,
            loading_table,
            SignatureBoxes((t("dispatcher_signature"), t("driver_signature"))),
        ),
    )
