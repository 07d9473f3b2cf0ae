"""A small fixed data set for the carriers report, built through the HTTP API: shipments
confirmed with fixed departure times, carriers' signed tracking webhooks (an exception, the
deliveries) and an own-fleet delivery. The bought labels (service, cost, promise) are written
straight into the rows before confirmation, as ``test_tracking`` does (labels are bought
elsewhere). Carrier A speaks the generic JSON protocol (webhooks); carrier B bills in USD.

    shipment  carrier  service   kg    cost       promised    shipped           delivered
    S1        A        express   2.5   20.00 CNY  2026-03-05  2026-03-03 08:00  03-04 10:00 on time
    S2        A        standard  4.0   12.00 CNY  2026-03-10  2026-03-08 08:00  03-12 10:00 late,
                                                                                an exception 03-09
    S3        B        standard  1.5    5.00 USD  2026-04-03  2026-04-01 09:00  —
    S4        own      —         10.0  —          2026-04-02  2026-04-01 07:00  04-02 15:00 on time
    S5        A        express   2.5   —          —           not shipped       —
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from app.adapters.carriers.generic_json import sign
from app.repositories.carriers import Carrier
from app.repositories.shipments import Shipment
from tests.integration.report_data import Flow, master_data

SECRET = "s"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def carrier(code: str, currency: str) -> Carrier:
    return Carrier(
        code=code, name=f"{code} Express", adapter_kind="generic_json", services=[],
        coverage={"CN": []}, max_package_weight_kg=Decimal("30"), goods_classes=[],
        currency=currency, transit_days={}, rates={}, surcharges={}, cutoff_time="17:00",
        zone_rules={}, endpoint="http://fake", webhooks=True, version=1,
        credentials=json.dumps({"api_key": "k", "webhook_secret": SECRET}),
    )  # fmt: skip


class CarrierFlow(Flow):
    async def shipment(self, order_id: str, weights: list[str], carrier_code: str | None) -> str:
        """Pick the order's ``len(weights)`` × P1, pack one in each package of ``weights``,
        verify; the shipment's id (not confirmed)."""
        wh = await self.auth.as_role("warehouse")
        sku = f"{self.tag}-P1"
        skus = {sku: str(len(weights))}
        r = await self.client.post(
            "/api/v1/pick-lists", headers=wh,
            json={"warehouse": f"{self.tag}W", "order_ids": [order_id]},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        r = await self.client.post(
            f"/api/v1/pick-lists/{r.json()['id']}/confirm", headers=wh,
            json={"lines": [{"sku": s, "picked": q} for s, q in skus.items()]},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        packages = [
            {"weight_kg": w, "length_cm": "40", "width_cm": "30", "height_cm": "20",
             "contents": [{"sku": sku, "quantity": "1"}]}
            for w in weights
        ]  # fmt: skip
        body: dict[str, Any] = {"order_id": order_id, "warehouse": f"{self.tag}W",
                                "packages": packages}  # fmt: skip
        if carrier_code:
            body["carrier"] = f"{self.tag}{carrier_code}"
        r = await self.client.post("/api/v1/shipments", headers=wh, json=body)
        assert r.status_code == 201, r.text
        shipment = str(r.json()["id"])
        lines_body = {"lines": [{"sku": s, "quantity": q} for s, q in skus.items()]}
        r = await self.client.post(
            f"/api/v1/shipments/{shipment}/verify", headers=wh, json=lines_body
        )
        assert r.status_code == 200, r.text
        return shipment

    async def confirm(self, shipment: str, shipped_at: datetime) -> None:
        r = await self.client.post(
            f"/api/v1/shipments/{shipment}/confirm",
            headers=await self.auth.as_role("warehouse"),
            json={"shipped_at": shipped_at.isoformat()},
        )
        assert r.status_code == 200, r.text

    async def track(self, carrier_code: str, number: str, events: list[tuple[str, str]]) -> None:
        """The carrier's signed webhook with ``events`` (status, ISO time)."""
        body = json.dumps(
            {
                "id": f"whk_{uuid.uuid4().hex}",
                "tracking_number": number,
                "events": [
                    {"id": f"e{i}", "status": s, "occurred_at": f"{t}+00:00", "description": s}
                    for i, (s, t) in enumerate(events)
                ],
            }
        ).encode()
        moment = str(int(time.time()))
        headers = {"X-Signature": sign(SECRET.encode(), moment, body),
                   "Content-Type": "application/json"}  # fmt: skip
        r = await self.client.post(
            f"/api/v1/webhooks/carriers/{self.tag}{carrier_code}", content=body, headers=headers
        )
        assert r.status_code in (200, 202), r.text

    async def deliver_at(self, shipment: str, when: datetime) -> None:
        r = await self.client.post(
            f"/api/v1/shipments/{shipment}/deliver",
            headers=await self.auth.as_role("warehouse"),
            json={"receiver_name": "王五", "delivered_at": when.isoformat()},
        )
        assert r.status_code == 200, r.text


async def labelled(sessionmaker: Any, shipment: str, **values: Any) -> None:
    """The bought label written into the row (a label purchase sets these)."""
    async with sessionmaker() as session:
        await session.execute(
            update(Shipment).where(Shipment.id == uuid.UUID(shipment)).values(**values)
        )
        await session.commit()


def _label(number: str, service: str, cost: str | None, currency: str, promised: date) -> dict:
    return {
        "label_status": "purchased", "tracking_number": number, "service": service,
        "shipping_cost": None if cost is None else Decimal(cost),
        "shipping_currency": None if cost is None else currency, "promised_date": promised,
    }  # fmt: skip


async def build(client: Any, auth: Any, sessionmaker: Any, tag: str) -> dict[str, str]:
    """The data set above; shipment name → id."""
    await master_data(sessionmaker, tag)
    async with sessionmaker() as session:
        session.add_all([carrier(f"{tag}A", "CNY"), carrier(f"{tag}B", "USD")])
        await session.commit()
    flow = CarrierFlow(client, auth, tag)
    await flow.receive("P1", "20")
    s = {}
    plan = [
        ("S1", "A", ["2.5"], _label(f"{tag}1", "express", "20.00", "CNY", date(2026, 3, 5))),
        ("S2", "A", ["2.5", "1.5"], _label(f"{tag}2", "standard", "12", "CNY", date(2026, 3, 10))),
        ("S3", "B", ["1.5"], _label(f"{tag}3", "standard", "5.00", "USD", date(2026, 4, 3))),
        ("S4", None, ["10"], {"promised_date": date(2026, 4, 2)}),
        ("S5", "A", ["2.5"], _label(f"{tag}5", "express", None, "CNY", date(2026, 4, 9))),
    ]
    for name, code, weights, label in plan:
        order = await flow.order("A", {"P1": str(len(weights))})
        s[name] = await flow.shipment(order, weights, code)
        await labelled(sessionmaker, s[name], **label)
    await flow.confirm(s["S1"], at("2026-03-03T08:00"))
    await flow.confirm(s["S2"], at("2026-03-08T08:00"))
    await flow.confirm(s["S3"], at("2026-04-01T09:00"))
    await flow.confirm(s["S4"], at("2026-04-01T07:00"))
    await flow.track("A", f"{tag}1", [("in_transit", "2026-03-03T12:00"),
                                      ("delivered", "2026-03-04T10:00")])  # fmt: skip
    await flow.track("A", f"{tag}2", [("exception", "2026-03-09T09:00")])
    await flow.track("A", f"{tag}2", [("delivered", "2026-03-12T10:00")])
    await flow.deliver_at(s["S4"], at("2026-04-02T15:00"))
    return s
