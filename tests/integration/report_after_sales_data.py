"""A small fixed after-sales data set for the after-sales report, built through the HTTP API
(``report_data``'s products P1 10.00 and P2 25.00, no tax), then dated by hand so the figures
can be worked out (see ``test_report_after_sales``).

    shipment  order        shipped            lines
    S1        O1 (A)       2026-03-03 08:00   P1×4, P2×2   (invoiced 90.00, paid)
    S2        O2 (B)       2026-04-02 08:00   P1×6

    return  order  requested    reason      lines      status                 refund
    R1      O1     2026-03-05   damaged     P1×2 P2×1  received P1 1, P2 1    35.00 on 03-10
    R2      O1     2026-03-06   wrong_item  P2×1       approved (open)        —
    R3      O2     2026-04-03   wrong_item  P1×3       received 3             —
    R4      O2     2026-04-04   damaged     P1×1       refused                —

    case  kind        opened             resolved           state
    C1    complaint   2026-03-04 08:00   2026-03-05 14:00   resolved (30 h)
    C2    complaint   2026-04-10 00:00   2026-04-10 10:00   resolved (10 h)
    C3    inquiry     2026-03-20 00:00   —                  open
    C4    complaint   2026-02-20 00:00   —                  in progress
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import update

from app.repositories.cases import ServiceCase
from app.repositories.payments import Refund
from app.repositories.returns import Return
from app.repositories.shipments import Shipment
from tests.integration.after_sales.support import decide, receive, request_return
from tests.integration.report_data import Flow, at, master_data

CASES = "/api/v1/cases"


@dataclass
class AfterSalesData:
    products: dict[str, str]
    customers: dict[str, str]
    returns: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)


async def auto_approve_below(client: Any, auth: Any, amount: str) -> None:
    headers = await auth.as_role("admin")
    current = await client.get("/api/v1/settings/review", headers=headers)
    response = await client.put(
        "/api/v1/settings/review",
        headers={**headers, "If-Match": current.headers["ETag"]},
        json={"return_auto_approve_max": amount},
    )
    assert response.status_code == 200, response.text


async def order_detail(client: Any, auth: Any, order_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/orders/{order_id}", headers=await auth.as_role("finance"))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def pay(client: Any, auth: Any, customer: str, amount: str) -> None:
    r = await client.post(
        "/api/v1/payments",
        headers=await auth.as_role("finance"),
        json={"customer_id": customer, "amount": amount, "currency": "CNY",
              "method": "bank_transfer"},
    )  # fmt: skip
    assert r.status_code == 201, r.text


async def refund(client: Any, auth: Any, return_id: str, **body: Any) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/returns/{return_id}/refund",
        headers=await auth.as_role("finance"),
        json={"method": "bank_transfer", **body},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def open_case(client: Any, auth: Any, customer: str, kind: str) -> str:
    r = await client.post(
        CASES,
        headers=await auth.as_role("sales"),
        json={"customer_id": customer, "kind": kind, "subject": "售后", "description": "…"},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def move_case(client: Any, auth: Any, case_id: str, state: str) -> None:
    body: dict[str, Any] = {"state": state}
    if state == "resolved":
        body["reason"] = "Sorted out"
    r = await client.post(
        f"{CASES}/{case_id}/transition", headers=await auth.as_role("sales"), json=body
    )
    assert r.status_code == 200, r.text


async def build(client: Any, auth: Any, sessionmaker: Any, tag: str) -> AfterSalesData:
    base = await master_data(sessionmaker, tag)
    data = AfterSalesData(base.products, base.customers)
    flow = Flow(client, auth, tag)
    await auto_approve_below(client, auth, "0")  # every return waits for a decision
    await flow.receive("P1", "20")
    await flow.receive("P2", "10")
    o1 = await flow.order("A", {"P1": "4", "P2": "2"})
    s1 = await flow.ship(o1, {"P1": "4", "P2": "2"}, None)
    await flow.deliver(s1)
    await pay(client, auth, base.customers["A"], "90.00")
    o2 = await flow.order("B", {"P1": "6"})
    s2 = await flow.ship(o2, {"P1": "6"}, None)
    await flow.deliver(s2)
    first, second = await order_detail(client, auth, o1), await order_detail(client, auth, o2)
    p1, p2 = f"{tag}-P1", f"{tag}-P2"
    r1 = await request_return(client, auth, first, {p1: "2", p2: "1"})
    await decide(client, auth, r1)
    await receive(client, auth, r1, {p1: {"restock": "1"}, p2: {"restock": "1"}})
    refunded = await refund(client, auth, r1["id"])
    assert refunded["refunded_amount"] == "35.00", refunded
    r2 = await request_return(client, auth, first, {p2: "1"}, reason="wrong_item")
    await decide(client, auth, r2)
    r3 = await request_return(client, auth, second, {p1: "3"}, reason="wrong_item")
    await decide(client, auth, r3)
    await receive(client, auth, r3, {p1: {"restock": "3"}})
    r4 = await request_return(client, auth, second, {p1: "1"})
    await decide(client, auth, r4, "refuse", role="finance", reason="Used goods")
    data.returns = {"R1": r1["id"], "R2": r2["id"], "R3": r3["id"], "R4": r4["id"]}
    a = base.customers["A"]
    data.cases = {name: await open_case(client, auth, a, kind) for name, kind in CASE_KINDS.items()}
    for name in ("C1", "C2"):
        await move_case(client, auth, data.cases[name], "resolved")
    await move_case(client, auth, data.cases["C4"], "in_progress")
    await date_it(sessionmaker, data, {"S1": s1, "S2": s2}, refunded["refund_id"])
    return data


CASE_KINDS = {"C1": "complaint", "C2": "complaint", "C3": "inquiry", "C4": "complaint"}
SHIPPED = {"S1": at("2026-03-03", 8), "S2": at("2026-04-02", 8)}
REQUESTED = {"R1": "2026-03-05", "R2": "2026-03-06", "R3": "2026-04-03", "R4": "2026-04-04"}
CASE_TIMES = {
    "C1": (at("2026-03-04", 8), at("2026-03-05", 14)),
    "C2": (at("2026-04-10"), at("2026-04-10", 10)),
    "C3": (at("2026-03-20"), None),
    "C4": (at("2026-02-20"), None),
}


async def date_it(
    sessionmaker: Any, data: AfterSalesData, shipments: dict[str, str], refund_id: str
) -> None:
    async with sessionmaker() as session:
        for name, shipped in SHIPPED.items():
            await session.execute(
                update(Shipment)
                .where(Shipment.id == uuid.UUID(shipments[name]))
                .values(shipped_at=shipped)
            )
        for name, day in REQUESTED.items():
            await session.execute(
                update(Return)
                .where(Return.id == uuid.UUID(data.returns[name]))
                .values(requested_at=at(day, 9))
            )
        await session.execute(
            update(Refund)
            .where(Refund.id == uuid.UUID(refund_id))
            .values(refunded_on=date(2026, 3, 10))
        )
        for name, (opened, resolved) in CASE_TIMES.items():
            await session.execute(
                update(ServiceCase)
                .where(ServiceCase.id == uuid.UUID(data.cases[name]))
                .values(opened_at=opened, resolved_at=resolved)
            )
        await session.commit()
