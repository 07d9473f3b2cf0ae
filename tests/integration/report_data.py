"""A small fixed data set for the reports, built through the HTTP API, then dated: each order's
submission, approval and allocation (audit trail), shipment and delivery are moved to fixed
times so that the figures can be worked out by hand (see the tests). The events stay on the
outbox; ``project`` routes them and runs the reports' projector.

    order  customer   day         lines                 status      fulfilment
    O1     A retail   2026-03-02  P1×3 (30) + P2×2 (50)  approved    shipped HZ own fleet, delivered
                                                                     on time
    O2     A retail   2026-03-20  P1×1 (10)              approved    shipped by carrier SF, not
                                                                     delivered yet
    O3     B whole    2026-04-05  P2×4 (100)             approved    backordered at first (2 short),
                                                                     own fleet, delivered late
    O4     B whole    2026-02-10  P1×5 (50)              approved    reserved (the period before)
    O5     B whole    2026-03-15  P1×10                  cancelled   —
    O6     A retail   —           P1×1                   draft       —
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.repositories.carriers import Carrier
from app.repositories.events import AuditEvent
from app.repositories.orders import Order
from app.repositories.shipments import Shipment
from app.settings import Settings
from app.worker.reports import project_all
from app.worker.routing import route_once
from app.worker.schedule import ROUTES
from tests.factories import make_customer, make_product, make_warehouse

SHANGHAI = {"country": "CN", "region": "上海市", "city": "上海市", "street": "张江路 88 号"}
BEIJING = {"country": "CN", "region": "北京市", "city": "北京市", "street": "建国路 1 号"}


def at(day: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(hours=hour)


@dataclass
class DataSet:
    customers: dict[str, str]  # A, B → customer id
    products: dict[str, str]  # P1, P2 → product id
    orders: dict[str, str]  # O1 … O6 → order id


async def master_data(sessionmaker: async_sessionmaker[AsyncSession], tag: str) -> DataSet:
    p1 = await make_product(
        sessionmaker, f"{tag}-P1", list_price="10.00", floor_price=None, tax_rate="0"
    )
    p2 = await make_product(
        sessionmaker, f"{tag}-P2", list_price="25.00", floor_price=None, tax_rate="0"
    )
    await make_warehouse(
        sessionmaker, f"{tag}W", latitude=Decimal("31.2"), longitude=Decimal("121.4"), priority=1
    )
    a = await make_customer(
        sessionmaker,
        f"{tag}-A",
        name="A Retail",
        customer_group="retail",
        credit_limit=Decimal("1000000"),
    )
    b = await make_customer(
        sessionmaker,
        f"{tag}-B",
        name="B Wholesale",
        customer_group="wholesale",
        credit_limit=Decimal("1000000"),
        ship_to=[{"id": "st", "is_default": True, **BEIJING}],
    )
    async with sessionmaker() as session:
        session.add(
            Carrier(
                code=f"{tag}SF",
                name="SF Express",
                adapter_kind="table",
                services=[],
                coverage={"CN": []},
                max_package_weight_kg=Decimal("30"),
                goods_classes=[],
                currency="CNY",
                transit_days={},
                rates={},
                surcharges={},
                cutoff_time="17:00",
                zone_rules={},
                version=1,
            )
        )
        await session.commit()
    return DataSet({"A": str(a.id), "B": str(b.id)}, {"P1": str(p1.id), "P2": str(p2.id)}, {})


class Flow:
    """The HTTP steps the data set is made of."""

    def __init__(self, client: Any, auth: Any, tag: str) -> None:
        self.client, self.auth, self.tag = client, auth, tag

    async def receive(self, product: str, quantity: str) -> None:
        r = await self.client.post(
            "/api/v1/stock/movements",
            headers=await self.auth.as_role("warehouse"),
            json={
                "warehouse": f"{self.tag}W",
                "sku": f"{self.tag}-{product}",
                "kind": "receipt",
                "quantity": quantity,
            },
        )
        assert r.status_code == 201, r.text

    async def order(self, customer: str, lines: dict[str, str], *, submit: bool = True) -> str:
        r = await self.client.post(
            "/api/v1/orders",
            headers=await self.auth.as_role("sales"),
            json={
                "channel": "manual",
                "customer": {"code": f"{self.tag}-{customer}"},
                "lines": [{"sku": f"{self.tag}-{k}", "quantity": q} for k, q in lines.items()],
                "submit": submit,
            },
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def cancel(self, order_id: str) -> None:
        r = await self.client.post(
            f"/api/v1/orders/{order_id}/cancel",
            headers=await self.auth.as_role("sales"),
            json={"reason": "customer changed its mind"},
        )
        assert r.status_code == 200, r.text

    async def ship(self, order_id: str, lines: dict[str, str], carrier: str | None) -> str:
        """Pick, pack, verify and confirm everything of ``lines``; the shipment's id."""
        wh = await self.auth.as_role("warehouse")
        skus = {f"{self.tag}-{k}": q for k, q in lines.items()}
        r = await self.client.post(
            "/api/v1/pick-lists",
            headers=wh,
            json={"warehouse": f"{self.tag}W", "order_ids": [order_id]},
        )
        assert r.status_code == 201, r.text
        r = await self.client.post(
            f"/api/v1/pick-lists/{r.json()['id']}/confirm",
            headers=wh,
            json={"lines": [{"sku": s, "picked": q} for s, q in skus.items()]},
        )
        assert r.status_code == 200, r.text
        package = {
            "weight_kg": "2.5",
            "length_cm": "40",
            "width_cm": "30",
            "height_cm": "20",
            "contents": [{"sku": s, "quantity": q} for s, q in skus.items()],
        }
        body: dict[str, Any] = {
            "order_id": order_id,
            "warehouse": f"{self.tag}W",
            "packages": [package],
        }
        if carrier:
            body["carrier"] = f"{self.tag}{carrier}"
        r = await self.client.post("/api/v1/shipments", headers=wh, json=body)
        assert r.status_code == 201, r.text
        shipment = str(r.json()["id"])
        url = f"/api/v1/shipments/{shipment}"
        lines_body = {"lines": [{"sku": s, "quantity": q} for s, q in skus.items()]}
        assert (
            await self.client.post(f"{url}/verify", headers=wh, json=lines_body)
        ).status_code == 200
        r = await self.client.post(f"{url}/confirm", headers=wh, json={})
        assert r.status_code == 200, r.text
        return shipment

    async def deliver(self, shipment: str) -> None:
        r = await self.client.post(
            f"/api/v1/shipments/{shipment}/deliver",
            headers=await self.auth.as_role("warehouse"),
            json={"receiver_name": "王五"},
        )
        assert r.status_code == 200, r.text


async def build(client: Any, auth: Any, sessionmaker: Any, tag: str) -> DataSet:
    data = await master_data(sessionmaker, tag)
    flow = Flow(client, auth, tag)
    await flow.receive("P1", "20")
    await flow.receive("P2", "4")
    o1 = await flow.order("A", {"P1": "3", "P2": "2"})
    s1 = await flow.ship(o1, {"P1": "3", "P2": "2"}, None)
    await flow.deliver(s1)
    o2 = await flow.order("A", {"P1": "1"})
    s2 = await flow.ship(o2, {"P1": "1"}, "SF")
    o3 = await flow.order("B", {"P2": "4"})  # 2 left: backordered, 2 short
    await flow.receive("P2", "2")  # the rest arrives: allocated in full
    s3 = await flow.ship(o3, {"P2": "4"}, None)
    await flow.deliver(s3)
    o4 = await flow.order("B", {"P1": "5"})
    o5 = await flow.order("B", {"P1": "10"})
    await flow.cancel(o5)
    o6 = await flow.order("A", {"P1": "1"}, submit=False)
    data.orders = {"O1": o1, "O2": o2, "O3": o3, "O4": o4, "O5": o5, "O6": o6}
    await date_it(sessionmaker, data, {"S1": s1, "S2": s2, "S3": s3})
    return data


# Per order: submitted, approved, first allocation (hours after midnight of its day).
TIMES = {
    "O1": ("2026-03-02", 8, 10, 12),
    "O2": ("2026-03-20", 0, 3, 3),
    "O3": ("2026-04-05", 0, 1, 2),
    "O4": ("2026-02-10", 0, 1, 1),
    "O5": ("2026-03-15", 0, 1, 1),
}
# Per shipment: its order, shipped, delivered, the promised date.
SHIPPED = {
    "S1": ("O1", at("2026-03-03", 8), at("2026-03-04", 8), date(2026, 3, 5)),
    "S2": ("O2", at("2026-03-20", 13), None, date(2026, 3, 25)),
    "S3": ("O3", at("2026-04-06", 2), at("2026-04-09", 2), date(2026, 4, 8)),
}


async def date_it(sessionmaker: Any, data: DataSet, shipments: dict[str, str]) -> None:
    async with sessionmaker() as session:
        for name, (day, submitted, approved, allocated) in TIMES.items():
            oid = uuid.UUID(data.orders[name])
            await session.execute(
                update(Order).where(Order.id == oid).values(submitted_at=at(day, submitted))
            )
            audit = update(AuditEvent).where(AuditEvent.entity_id == str(oid))
            await session.execute(
                audit.where(AuditEvent.action == "approved").values(at=at(day, approved))
            )
            # The first allocation at its hour; a later one (O3 in full) an hour after.
            await session.execute(
                audit.where(AuditEvent.action == "backordered").values(at=at(day, allocated))
            )
            late = allocated + (1 if name == "O3" else 0)
            await session.execute(
                audit.where(AuditEvent.action == "allocated").values(at=at(day, late))
            )
        for name, (_order, shipped, delivered, promised) in SHIPPED.items():
            await session.execute(
                update(Shipment)
                .where(Shipment.id == uuid.UUID(shipments[name]))
                .values(shipped_at=shipped, delivered_at=delivered, promised_date=promised)
            )
        await session.commit()


async def project(sessionmaker: Any, settings: Settings) -> None:
    """Route the outbox onto the stream and let the projector read all of it."""
    while await route_once(sessionmaker, settings, ROUTES) >= settings.dispatcher_batch_size:
        pass
    await project_all(sessionmaker, settings)


def sales_at(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in report["totals"] if t["key"] == key)
