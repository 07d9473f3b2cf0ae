"""Replenishment and purchase orders through the HTTP API: suggestions by supplier, draft
purchase orders from them, the life cycle draft → sent → partially received → received with
receipt movements in the ledger, over-receipt tolerance, and refusals that write nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.bootstrap import build_bus
from app.repositories.customers import Supplier
from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.orders import Order, OrderLine
from app.repositories.purchasing import PurchaseOrder, PurchaseOrderLine
from app.repositories.stock import StockMovement
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.repositories.warehouses import Warehouse
from app.services.check import check_invariants
from app.services.purchasing.queries import open_purchase_quantities
from tests.factories import make_customer, make_product, make_warehouse
from tests.integration.stock_data import force_level, level_and_ledger
from tests.support import assert_problem

D = Decimal
SUGGESTIONS = "/api/v1/replenishment/suggestions"
FROM_SUGGESTIONS = "/api/v1/replenishment/purchase-orders"
POS = "/api/v1/purchase-orders"


def today() -> date:
    return datetime.now(UTC).date()


async def make_supplier(sessionmaker, code: str | None = None, **kw: Any) -> Supplier:
    values: dict[str, Any] = {
        "code": code or f"S-{uuid.uuid4().hex[:6]}",
        "name": "宁波五金供应商",
        "contacts": [],
        "lead_time_days": 7,
        "version": 1,
    }
    values.update(kw)
    async with sessionmaker() as session:
        supplier = Supplier(**values)
        session.add(supplier)
        await session.commit()
    return supplier


async def make_approved_order(
    sessionmaker, lines: list[tuple[Any, str, str]], status: str = "approved"
) -> Order:
    """An order in ``status`` written through the ORM; ``lines``: (product, ordered, reserved)."""
    customer = await make_customer(sessionmaker)
    async with sessionmaker() as session:
        order = Order(
            number=f"SO-T-{uuid.uuid4().hex[:8]}",
            channel="manual",
            customer_id=customer.id,
            customer_code=customer.code,
            customer_name=customer.name,
            ship_to=customer.ship_to[0],
            currency="CNY",
            status=status,
            fulfillment_status="unfulfilled",
            billing_status="unbilled",
            gross_before_discount=D(0),
            discount_total=D(0),
            net_total=D(0),
            tax_total=D(0),
            total=D(0),
            created_by="test",
            updated_by="test",
            holds=[],
            pending_approvals=[],
            version=1,
        )
        session.add(order)
        await session.flush()
        for no, (product, ordered, reserved) in enumerate(lines, start=1):
            session.add(
                OrderLine(
                    order_id=order.id,
                    line_no=no,
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    quantity_ordered=D(ordered),
                    quantity_reserved=D(reserved),
                    unit_price=D("10.00"),
                    price_source="list",
                    tax_rate=D("0.13"),
                    gross_before_discount=D(0),
                    discount=D(0),
                    net=D(0),
                    tax=D(0),
                    total=D(0),
                )
            )
        await session.commit()
    return order


async def counts(sessionmaker) -> tuple[int, ...]:
    """Movements, purchase orders, purchase order lines, audit events and outbox events."""
    async with sessionmaker() as session:
        return tuple(
            [
                await session.scalar(select(func.count()).select_from(model))
                for model in (StockMovement, PurchaseOrder, PurchaseOrderLine, AuditEvent)
            ]
            + [await session.scalar(select(func.count()).select_from(OutboxEvent))]
        )


async def events_of(sessionmaker, entity_id: str) -> tuple[list[str], list[str]]:
    """Audit actions and outbox event types of one entity, oldest first."""
    async with sessionmaker() as session:
        audit = await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.at)
        )
        outbox = await session.scalars(
            select(OutboxEvent.event_type)
            .where(OutboxEvent.aggregate_id == entity_id)
            .order_by(OutboxEvent.created_at)
        )
        return list(audit), list(outbox)


@pytest.fixture
async def world(sessionmaker):
    """A warehouse, two suppliers (lead times 3 and 10 days) and a product of each."""
    warehouse = await make_warehouse(sessionmaker)
    s1 = await make_supplier(sessionmaker, f"A-{uuid.uuid4().hex[:6]}", lead_time_days=3)
    s2 = await make_supplier(sessionmaker, f"B-{uuid.uuid4().hex[:6]}", lead_time_days=10)
    p1 = await make_product(sessionmaker, preferred_supplier_id=s1.id)
    p2 = await make_product(sessionmaker, uom="kg", uom_precision=3, preferred_supplier_id=s2.id)
    return {"warehouse": warehouse, "s1": s1, "s2": s2, "p1": p1, "p2": p2}


async def create_po(client, headers, world, lines=None, **kw) -> dict:
    body = {
        "supplier": world["s1"].code,
        "warehouse": world["warehouse"].code,
        "lines": lines
        or [
            {"sku": world["p1"].sku, "quantity": "10", "unit_price": "4.5"},
            {"sku": world["p2"].sku, "quantity": "2.5"},
        ],
        **kw,
    }
    response = await client.post(POS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def act(client, headers, po: dict, action: str, body: dict | None = None):
    return await client.post(f"{POS}/{po['id']}/{action}", json=body or {}, headers=headers)


async def sent_po(client, headers, world, **kw) -> dict:
    po = await create_po(client, headers, world, **kw)
    response = await act(client, headers, po, "send")
    assert response.status_code == 200, response.text
    return response.json()


# --- suggestions -------------------------------------------------------------------------


async def test_suggestions_for_reorder_point_and_shortage_grouped_by_supplier(
    client, auth, sessionmaker
) -> None:
    warehouse = await make_warehouse(sessionmaker)
    s1 = await make_supplier(sessionmaker, f"A-{uuid.uuid4().hex[:6]}", lead_time_days=3)
    s2 = await make_supplier(sessionmaker, f"B-{uuid.uuid4().hex[:6]}", lead_time_days=10)
    low = await make_product(
        sessionmaker, reorder_point=D(10), reorder_quantity=D(50), preferred_supplier_id=s1.id
    )
    plenty = await make_product(
        sessionmaker, reorder_point=D(10), reorder_quantity=D(50), preferred_supplier_id=s1.id
    )
    short = await make_product(
        sessionmaker, uom="kg", uom_precision=3, reorder_quantity=D(5), preferred_supplier_id=s2.id
    )
    orphan = await make_product(sessionmaker, reorder_point=D(3), reorder_quantity=D(6))
    retired = await make_product(
        sessionmaker, reorder_point=D(3), reorder_quantity=D(6), active=False
    )
    headers = await auth.as_role("warehouse")
    for product, quantity in ((low, "4"), (plenty, "30"), (short, "1")):
        response = await client.post(
            "/api/v1/stock/movements",
            json={
                "warehouse": warehouse.code,
                "sku": product.sku,
                "kind": "receipt",
                "quantity": quantity,
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text
    # 7.5 kg ordered, 1 reserved: 6.5 backordered. A draft order's lines are not demand yet.
    await make_approved_order(sessionmaker, [(short, "7.5", "1")])
    await force_level(sessionmaker, warehouse.id, short.id, reserved=D(1))
    await make_approved_order(sessionmaker, [(plenty, "100", "0")], status="draft")

    response = await client.get(SUGGESTIONS, headers=await auth.as_role("viewer"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["order_date"] == today().isoformat()
    assert body["limit"] == 1000 and body["truncated"] is False
    groups = body["groups"]
    assert [g["supplier"] for g in groups] == [s1.code, s2.code, None]
    g1, g2, none = groups
    assert (g1["lead_time_days"], g1["expected_date"]) == (3, (today() + timedelta(3)).isoformat())
    assert g2["expected_date"] == (today() + timedelta(10)).isoformat()
    assert g1["supplier_id"] == str(s1.id) and g1["no_supplier"] is False
    assert [line["sku"] for line in g1["lines"]] == [low.sku]
    assert g1["lines"][0] | {} == g1["lines"][0] | {
        "reasons": ["below_reorder_point"],
        "quantity": "50",
        "available": "4",
        "shortage": "0",
        "on_order": "0",
        "reorder_point": "10",
    }
    (line,) = g2["lines"]
    assert (line["sku"], line["reasons"], line["shortage"], line["quantity"]) == (
        short.sku,
        ["shortage", "below_reorder_point"],
        "6.5",
        "11.5",
    )
    assert line["available"] == "0"  # the 1 kg on hand is reserved
    assert none["no_supplier"] is True and none["expected_date"] is None
    assert [x["sku"] for x in none["lines"]] == [orphan.sku]
    assert retired.sku not in {x["sku"] for g in groups for x in g["lines"]}


async def test_available_counts_reserved_stock_out(client, auth, sessionmaker) -> None:
    """available = on_hand − reserved over active warehouses; inactive warehouses don't count."""
    supplier = await make_supplier(sessionmaker)
    product = await make_product(
        sessionmaker, reorder_point=D(5), reorder_quantity=D(10), preferred_supplier_id=supplier.id
    )
    active, closed = await make_warehouse(sessionmaker), await make_warehouse(sessionmaker)
    headers = await auth.as_role("warehouse")
    for wh in (active, closed):
        response = await client.post(
            "/api/v1/stock/movements",
            json={"warehouse": wh.code, "sku": product.sku, "kind": "receipt", "quantity": "8"},
            headers=headers,
        )
        assert response.status_code == 201
    response = await client.get(SUGGESTIONS, headers=headers)
    assert response.json()["groups"] == []

    await force_level(sessionmaker, active.id, product.id, reserved=D(4))
    async with sessionmaker() as session:
        row = await session.get(Warehouse, closed.id)
        assert row is not None
        row.active = False
        await session.commit()
    (group,) = (await client.get(SUGGESTIONS, headers=headers)).json()["groups"]
    assert group["lines"][0]["available"] == "4" and group["lines"][0]["quantity"] == "10"


async def test_drafts_from_suggestions_one_per_supplier_and_not_twice(
    client, auth, sessionmaker
) -> None:
    warehouse = await make_warehouse(sessionmaker)
    s1 = await make_supplier(sessionmaker, f"A-{uuid.uuid4().hex[:6]}", lead_time_days=3)
    s2 = await make_supplier(sessionmaker, f"B-{uuid.uuid4().hex[:6]}", lead_time_days=10)
    idle = await make_supplier(sessionmaker, f"C-{uuid.uuid4().hex[:6]}", active=False)
    a1 = await make_product(
        sessionmaker, reorder_point=D(5), reorder_quantity=D(20), preferred_supplier_id=s1.id
    )
    a2 = await make_product(
        sessionmaker, reorder_point=D(1), reorder_quantity=D(3), preferred_supplier_id=s1.id
    )
    b1 = await make_product(sessionmaker, reorder_quantity=D(2), preferred_supplier_id=s2.id)
    await make_approved_order(sessionmaker, [(b1, "4", "0")])
    orphan = await make_product(sessionmaker, reorder_point=D(1), reorder_quantity=D(1))
    dormant = await make_product(
        sessionmaker, reorder_point=D(1), reorder_quantity=D(1), preferred_supplier_id=idle.id
    )
    headers = await auth.as_role("warehouse")

    response = await client.post(
        FROM_SUGGESTIONS, json={"warehouse": warehouse.code}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    pos = body["purchase_orders"]
    assert [po["supplier"] for po in pos] == [s1.code, s2.code]
    assert all(po["status"] == "draft" and po["warehouse"] == warehouse.code for po in pos)
    assert all(po["number"].startswith(f"PO-{today().year}-") for po in pos)
    assert len({po["number"] for po in pos}) == 2
    assert [(ln["sku"], ln["quantity"]) for ln in pos[0]["lines"]] == sorted(
        [(a1.sku, "20"), (a2.sku, "3")]
    )
    assert [(ln["sku"], ln["quantity"]) for ln in pos[1]["lines"]] == [(b1.sku, "6")]
    assert pos[0]["expected_date"] == (today() + timedelta(3)).isoformat()
    assert pos[1]["expected_date"] == (today() + timedelta(10)).isoformat()
    assert sorted(body["skipped"], key=lambda s: s["reason"]) == [
        {"sku": orphan.sku, "reason": "no_preferred_supplier"},
        {"sku": dormant.sku, "reason": "supplier_inactive"},
    ]
    for po in pos:
        assert await events_of(sessionmaker, po["id"]) == (
            ["created"],
            ["purchase_order.created"],
        )

    # The drafts now count as on order: nothing of these is suggested again.
    again = await client.post(FROM_SUGGESTIONS, json={"warehouse": warehouse.code}, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["purchase_orders"] == []
    suggested = (await client.get(SUGGESTIONS, headers=headers)).json()["groups"]
    assert {line["sku"] for g in suggested for line in g["lines"]} == {orphan.sku, dormant.sku}


async def test_drafts_from_suggestions_need_a_known_active_warehouse(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("warehouse")
    unknown = await client.post(FROM_SUGGESTIONS, json={"warehouse": "NOPE"}, headers=headers)
    assert_problem(unknown, 422, field="warehouse")
    closed = await make_warehouse(sessionmaker, active=False)
    inactive = await client.post(FROM_SUGGESTIONS, json={"warehouse": closed.code}, headers=headers)
    body = assert_problem(inactive, 422, field="warehouse")
    assert body["errors"][0]["rule"] == "active"


# --- purchase order life cycle -----------------------------------------------------------


async def test_create_defaults_the_expected_date_to_the_lead_time(client, auth, world) -> None:
    headers = await auth.as_role("warehouse")
    po = await create_po(client, headers, world)
    assert po["status"] == "draft" and po["version"] == 1
    assert po["supplier"] == world["s1"].code and po["warehouse_id"] == str(world["warehouse"].id)
    assert po["order_date"] == today().isoformat()
    assert po["expected_date"] == (today() + timedelta(3)).isoformat()
    assert po["created_by"].startswith("user:warehouse")
    assert [(ln["line_no"], ln["quantity"], ln["received_quantity"]) for ln in po["lines"]] == [
        (1, "10", "0"),
        (2, "2.5", "0"),
    ]
    assert (po["lines"][0]["unit_price"], po["lines"][1]["unit_price"]) == ("4.50", None)
    fetched = await client.get(f"{POS}/{po['id']}", headers=await auth.as_role("viewer"))
    assert fetched.status_code == 200 and fetched.json() == po
    assert fetched.headers["ETag"] == '"1"'

    later = (today() + timedelta(30)).isoformat()
    explicit = await create_po(client, headers, world, expected_date=later)
    assert explicit["expected_date"] == later
    past = await client.post(
        POS,
        json={
            "supplier": world["s1"].code,
            "warehouse": world["warehouse"].code,
            "lines": [{"sku": world["p1"].sku, "quantity": "1"}],
            "expected_date": (today() - timedelta(1)).isoformat(),
        },
        headers=headers,
    )
    assert_problem(past, 422, field="expected_date")


async def test_life_cycle_draft_sent_partial_received(client, auth, sessionmaker, world) -> None:
    headers = await auth.as_role("warehouse")
    wh, p1, p2 = world["warehouse"], world["p1"], world["p2"]
    po = await create_po(client, headers, world)

    receive_draft = await act(
        client, headers, po, "receive", {"lines": [{"sku": p1.sku, "quantity": "1"}]}
    )
    assert_problem(receive_draft, 409, code="invalid_state")

    sent = await act(client, headers, po, "send")
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent" and sent.json()["version"] == 2
    assert_problem(await act(client, headers, po, "send"), 409, code="invalid_state")

    first = await act(
        client,
        headers,
        po,
        "receive",
        {"lines": [{"sku": p1.sku, "quantity": "4"}, {"sku": p2.sku, "quantity": "2.5"}]},
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["purchase_order"]["status"] == "partially_received"
    assert [ln["received_quantity"] for ln in body["purchase_order"]["lines"]] == ["4", "2.5"]
    assert {(m["sku"], m["kind"], m["quantity"], m["reference"]) for m in body["movements"]} == {
        (p1.sku, "receipt", "4", po["number"]),
        (p2.sku, "receipt", "2.5", po["number"]),
    }
    assert all(m["warehouse"] == wh.code for m in body["movements"])
    assert await level_and_ledger(sessionmaker, wh.id, p1.id) == (D(4), D(0), D(4), 1)
    assert await level_and_ledger(sessionmaker, wh.id, p2.id) == (D("2.5"), D(0), D("2.5"), 1)
    assert_problem(await act(client, headers, po, "cancel"), 409, code="invalid_state")

    second = await act(
        client, headers, po, "receive", {"lines": [{"sku": p1.sku, "quantity": "6"}]}
    )
    assert second.status_code == 200, second.text
    assert second.json()["purchase_order"]["status"] == "received"
    assert await level_and_ledger(sessionmaker, wh.id, p1.id) == (D(10), D(0), D(10), 2)
    ledger = await client.get(
        "/api/v1/stock/movements", params={"reference": po["number"]}, headers=headers
    )
    assert len(ledger.json()["items"]) == 3

    more = await act(client, headers, po, "receive", {"lines": [{"sku": p1.sku, "quantity": "1"}]})
    assert_problem(more, 409, code="invalid_state")
    assert_problem(await act(client, headers, po, "cancel"), 409, code="invalid_state")
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []

    audit, outbox = await events_of(sessionmaker, po["id"])
    assert audit == ["created", "sent", "received", "received"]
    assert outbox == [
        "purchase_order.created",
        "purchase_order.sent",
        "purchase_order.received",
        "purchase_order.received",
    ]
    movement_ids = [m["id"] for m in body["movements"]]
    for movement_id in movement_ids:
        assert await events_of(sessionmaker, movement_id) == (["created"], ["stock.moved"])


async def test_cancel_draft_or_sent_then_nothing_more(client, auth, world) -> None:
    headers = await auth.as_role("warehouse")
    draft = await create_po(client, headers, world)
    cancelled = await act(client, headers, draft, "cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    sent = await sent_po(client, headers, world)
    assert (await act(client, headers, sent, "cancel")).json()["status"] == "cancelled"
    for po in (draft, sent):
        receipt = {"lines": [{"sku": world["p1"].sku, "quantity": "1"}]}
        assert_problem(
            await act(client, headers, po, "receive", receipt), 409, code="invalid_state"
        )
        assert_problem(await act(client, headers, po, "send"), 409)
        assert_problem(await act(client, headers, po, "cancel"), 409)


async def test_over_receipt_beyond_tolerance_is_422_naming_the_line_and_writes_nothing(
    client, auth, sessionmaker, world
) -> None:
    headers = await auth.as_role("warehouse")
    po = await sent_po(client, headers, world)
    before = await counts(sessionmaker)
    response = await act(
        client,
        headers,
        po,
        "receive",
        {
            "lines": [
                {"sku": world["p1"].sku, "quantity": "5"},
                {"sku": world["p2"].sku, "quantity": "2.501"},
            ]
        },
    )
    body = assert_problem(response, 422, field="lines.1.quantity")
    assert body["errors"][0]["rule"] == "over_receipt"
    assert world["p2"].sku in body["errors"][0]["message"]
    assert await counts(sessionmaker) == before
    fetched = (await client.get(f"{POS}/{po['id']}", headers=headers)).json()
    assert fetched["status"] == "sent" and fetched["version"] == po["version"]
    assert [ln["received_quantity"] for ln in fetched["lines"]] == ["0", "0"]
    assert await level_and_ledger(sessionmaker, world["warehouse"].id, world["p1"].id) == (
        None,
        None,
        0,
        0,
    )


async def test_over_receipt_within_tolerance_is_accepted(
    client, app, auth, sessionmaker, world
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"po_over_receipt_tolerance_percent": D(10)}
    )
    app.state.bus = build_bus(app.state.settings)  # use cases take settings from the bus
    headers = await auth.as_role("warehouse")
    po = await sent_po(client, headers, world)
    ok = await act(
        client, headers, po, "receive", {"lines": [{"sku": world["p1"].sku, "quantity": "11"}]}
    )
    assert ok.status_code == 200, ok.text
    line = ok.json()["purchase_order"]["lines"][0]
    assert line["received_quantity"] == "11"
    assert ok.json()["purchase_order"]["status"] == "partially_received"  # p2 still open
    too_much = await act(
        client, headers, po, "receive", {"lines": [{"sku": world["p2"].sku, "quantity": "2.751"}]}
    )
    assert_problem(too_much, 422, field="lines.0.quantity")
    rest = await act(
        client, headers, po, "receive", {"lines": [{"sku": world["p2"].sku, "quantity": "2.75"}]}
    )
    assert rest.json()["purchase_order"]["status"] == "received"
    assert await level_and_ledger(sessionmaker, world["warehouse"].id, world["p1"].id) == (
        D(11),
        D(0),
        D(11),
        1,
    )
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_receipt_allocates_waiting_backorders(client, auth, sessionmaker, world) -> None:
    headers = await auth.as_role("warehouse")
    p1, wh = world["p1"], world["warehouse"]
    order = await make_approved_order(sessionmaker, [(p1, "3", "0")])
    po = await sent_po(client, headers, world)
    response = await act(
        client, headers, po, "receive", {"lines": [{"sku": p1.sku, "quantity": "10"}]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["backorders_allocated"] == 1
    async with sessionmaker() as session:
        reserved = await session.scalar(
            select(OrderLine.quantity_reserved).where(OrderLine.order_id == order.id)
        )
    assert reserved == D(3)
    assert await level_and_ledger(sessionmaker, wh.id, p1.id) == (D(10), D(3), D(10), 1)
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_open_purchase_quantities(client, auth, sessionmaker, world) -> None:
    headers = await auth.as_role("warehouse")
    p1, p2 = world["p1"], world["p2"]
    soon = (today() + timedelta(5)).isoformat()
    first = await sent_po(client, headers, world, expected_date=soon)
    await sent_po(
        client,
        headers,
        world,
        lines=[{"sku": p1.sku, "quantity": "7"}],
        expected_date=(today() + timedelta(20)).isoformat(),
    )
    await create_po(client, headers, world, lines=[{"sku": p1.sku, "quantity": "100"}])  # draft
    received = await act(
        client,
        headers,
        first,
        "receive",
        {"lines": [{"sku": p2.sku, "quantity": "2.5"}, {"sku": p1.sku, "quantity": "4"}]},
    )
    assert received.status_code == 200, received.text
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    async with uow:
        quantities = await open_purchase_quantities(uow)
    assert quantities == {p1.id: (D(13), date.fromisoformat(soon))}


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["0", "-1"])
async def test_zero_or_negative_quantities_are_422(
    client, auth, sessionmaker, world, quantity
) -> None:
    headers = await auth.as_role("warehouse")
    created = await client.post(
        POS,
        json={
            "supplier": world["s1"].code,
            "warehouse": world["warehouse"].code,
            "lines": [{"sku": world["p1"].sku, "quantity": quantity}],
        },
        headers=headers,
    )
    assert_problem(created, 422, field="lines.0.quantity")
    po = await sent_po(client, headers, world)
    before = await counts(sessionmaker)
    receipt = await act(
        client, headers, po, "receive", {"lines": [{"sku": world["p1"].sku, "quantity": quantity}]}
    )
    assert_problem(receipt, 422, field="lines.0.quantity")
    assert await counts(sessionmaker) == before


async def test_fractional_pieces_are_422(client, auth, world) -> None:
    headers = await auth.as_role("warehouse")
    response = await client.post(
        POS,
        json={
            "supplier": world["s1"].code,
            "warehouse": world["warehouse"].code,
            "lines": [{"sku": world["p1"].sku, "quantity": "1.5"}],
        },
        headers=headers,
    )
    body = assert_problem(response, 422, field="lines.0.quantity")
    assert body["errors"][0]["rule"] == "unit_precision"


async def test_unknown_supplier_warehouse_and_sku_are_422_naming_each(
    client, auth, sessionmaker, world
) -> None:
    headers = await auth.as_role("warehouse")
    before = await counts(sessionmaker)
    response = await client.post(
        POS,
        json={
            "supplier": "NO-SUCH",
            "warehouse": "NO-WH",
            "lines": [{"sku": world["p1"].sku, "quantity": "1"}, {"sku": "GHOST", "quantity": "1"}],
        },
        headers=headers,
    )
    body = assert_problem(response, 422)
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {
        ("supplier", "exists"),
        ("warehouse", "exists"),
        ("lines.1.sku", "exists"),
    }
    assert await counts(sessionmaker) == before

    twice = await client.post(
        POS,
        json={
            "supplier": world["s1"].code,
            "warehouse": world["warehouse"].code,
            "lines": [{"sku": world["p1"].sku, "quantity": "1"}] * 2,
        },
        headers=headers,
    )
    assert_problem(twice, 422, field="lines.1.sku")

    po = await sent_po(client, headers, world)
    other = await make_product(sessionmaker)
    receipt = await act(
        client, headers, po, "receive", {"lines": [{"sku": other.sku, "quantity": "1"}]}
    )
    assert_problem(receipt, 422, field="lines.0.sku")


async def test_inactive_supplier_is_422(client, auth, sessionmaker, world) -> None:
    idle = await make_supplier(sessionmaker, active=False)
    response = await client.post(
        POS,
        json={
            "supplier": idle.code,
            "warehouse": world["warehouse"].code,
            "lines": [{"sku": world["p1"].sku, "quantity": "1"}],
        },
        headers=await auth.as_role("warehouse"),
    )
    body = assert_problem(response, 422, field="supplier")
    assert body["errors"][0]["rule"] == "active"


async def test_unknown_purchase_order_is_404(client, auth) -> None:
    headers = await auth.as_role("warehouse")
    missing = uuid.uuid4()
    assert_problem(await client.get(f"{POS}/{missing}", headers=headers), 404)
    assert_problem(await client.post(f"{POS}/{missing}/send", headers=headers), 404)


async def test_permissions(client, auth, world) -> None:
    sales = await auth.as_role("sales")
    body = {
        "supplier": world["s1"].code,
        "warehouse": world["warehouse"].code,
        "lines": [{"sku": world["p1"].sku, "quantity": "1"}],
    }
    assert_problem(await client.post(POS, json=body, headers=sales), 403)
    assert_problem(await client.post(FROM_SUGGESTIONS, json={"warehouse": "X"}, headers=sales), 403)
    assert (await client.get(SUGGESTIONS, headers=sales)).status_code == 200  # stock:read
    admin_po = await create_po(client, await auth.as_role("admin"), world)
    assert_problem(await act(client, sales, admin_po, "send"), 403)
    assert_problem(await client.post(POS, json=body), 401)
    assert_problem(await client.get(SUGGESTIONS), 401)
    assert_problem(await client.get(POS), 401)
    key = await auth.with_scopes("stock:write")
    assert (await client.post(POS, json=body, headers=key)).status_code == 201


async def test_list_filters_and_pages_newest_first(client, auth, sessionmaker, world) -> None:
    headers = await auth.as_role("warehouse")
    other_wh = await make_warehouse(sessionmaker)
    a = await create_po(client, headers, world)
    b = await sent_po(client, headers, world)
    c = await create_po(
        client,
        headers,
        world,
        supplier=world["s2"].code,
        warehouse=other_wh.code,
        lines=[{"sku": world["p2"].sku, "quantity": "1"}],
    )

    async def ids(**params) -> list[str]:
        response = await client.get(POS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [po["id"] for po in response.json()["items"]]

    assert await ids() == [c["id"], b["id"], a["id"]]
    assert await ids(status="sent") == [b["id"]]
    assert await ids(status="draft", supplier=world["s1"].code) == [a["id"]]
    assert await ids(warehouse=other_wh.code) == [c["id"]]
    assert await ids(supplier=world["s2"].code, status="sent") == []

    page1 = (await client.get(POS, params={"limit": 2}, headers=headers)).json()
    assert [po["id"] for po in page1["items"]] == [c["id"], b["id"]]
    assert page1["items"][0]["supplier"] == world["s2"].code and "lines" not in page1["items"][0]
    page2 = (
        await client.get(POS, params={"limit": 2, "cursor": page1["next_cursor"]}, headers=headers)
    ).json()
    assert [po["id"] for po in page2["items"]] == [a["id"]] and page2["next_cursor"] is None

    assert_problem(
        await client.get(POS, params={"supplier": "NOPE"}, headers=headers), 422, field="supplier"
    )
    assert_problem(await client.get(POS, params={"status": "lost"}, headers=headers), 422)
