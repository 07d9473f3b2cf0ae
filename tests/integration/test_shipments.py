"""Shipments through the HTTP API, on both engines: from a picked pick list to a shipment,
verification by scanning, ship confirmation (reservations consumed, stock issued, the order
line shipped, once only), own-fleet delivery, and the rules around them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.repositories.carriers import Carrier
from app.repositories.events import OutboxEvent
from app.repositories.orders import OrderLine
from app.repositories.shipments import Shipment
from app.repositories.stock import StockMovement
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from tests.factories import make_customer, make_product, make_warehouse
from tests.support import assert_problem

SHIPMENTS = "/api/v1/shipments"
SHANGHAI = {"country": "CN", "city": "上海市", "street": "张江路 88 号"}
HANGZHOU = {
    "country": "CN",
    "region": "浙江省",
    "city": "杭州市",
    "district": "余杭区",
    "postcode": "311100",
    "street": "文一西路 969 号",
}


@pytest.fixture
async def data(sessionmaker):
    for sku in ("S-1", "S-2"):
        await make_product(sessionmaker, sku, list_price="10.00", floor_price=None, tax_rate="0")
    await make_warehouse(
        sessionmaker,
        "HZ",
        name="杭州仓",
        address=HANGZHOU,
        latitude=Decimal("30.2741"),
        longitude=Decimal("120.1551"),
        priority=1,
    )
    await make_customer(
        sessionmaker,
        "ACME",
        name="Acme Trading",
        credit_limit="1000000",
        contacts=[{"name": "王芳", "phone": "+86 21 5080 1234", "email": "wang@acme.example"}],
    )
    async with sessionmaker() as session:
        session.add(
            Carrier(
                code="SF",
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


async def headers(auth) -> dict[str, str]:
    return await auth.as_role("warehouse")


async def picked_order(client, auth, lines: dict[str, str]) -> dict:
    """Receive stock, place (submit → approved → allocated) an order, pick it in full."""
    for sku, quantity in lines.items():
        response = await client.post(
            "/api/v1/stock/movements",
            headers=await headers(auth),
            json={"warehouse": "HZ", "sku": sku, "kind": "receipt", "quantity": quantity},
        )
        assert response.status_code == 201, response.text
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
            "submit": True,
        },
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["status"] == "approved" and placed["fulfillment_status"] == "reserved"
    response = await client.post(
        "/api/v1/pick-lists",
        headers=await headers(auth),
        json={"warehouse": "HZ", "order_ids": [placed["id"]]},
    )
    assert response.status_code == 201, response.text
    pick_list = response.json()
    response = await client.post(
        f"/api/v1/pick-lists/{pick_list['id']}/confirm",
        headers=await headers(auth),
        json={"lines": [{"sku": sku, "picked": q} for sku, q in lines.items()]},
    )
    assert response.status_code == 200, response.text
    return placed


def package(contents: dict[str, str]) -> dict:
    return {
        "weight_kg": "2.5",
        "length_cm": "40",
        "width_cm": "30",
        "height_cm": "20",
        "contents": [{"sku": sku, "quantity": q} for sku, q in contents.items()],
    }


async def create(client, auth, order_id: str, lines: dict[str, str] | None, **extra):
    packed = extra.pop("packed", None) or lines
    assert packed is not None
    body = {"order_id": order_id, "warehouse": "HZ", "packages": [package(packed)], **extra}
    if lines is not None:
        body["lines"] = [{"sku": sku, "quantity": q} for sku, q in lines.items()]
    return await client.post(SHIPMENTS, headers=await headers(auth), json=body)


async def created(client, auth, order_id: str, lines: dict[str, str] | None, **extra) -> dict:
    response = await create(client, auth, order_id, lines, **extra)
    assert response.status_code == 201, response.text
    return response.json()


async def verify(client, auth, shipment_id: str, scanned: dict[str, str]):
    return await client.post(
        f"{SHIPMENTS}/{shipment_id}/verify",
        headers=await headers(auth),
        json={"lines": [{"sku": sku, "quantity": q} for sku, q in scanned.items()]},
    )


async def confirm(client, auth, shipment_id: str, **body):
    return await client.post(
        f"{SHIPMENTS}/{shipment_id}/confirm", headers=await headers(auth), json=body
    )


async def level(client, auth, sku: str) -> tuple[str, str]:
    body = (
        await client.get(f"/api/v1/availability?sku={sku}", headers=await auth.as_role("viewer"))
    ).json()
    return next((w["on_hand"], w["reserved"]) for w in body["warehouses"] if w["warehouse"] == "HZ")


async def order_view(client, auth, order_id: str) -> dict:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=await auth.as_role("viewer"))
    assert response.status_code == 200, response.text
    return response.json()


async def counts(sessionmaker) -> tuple[int, list[str]]:
    async with sessionmaker() as session:
        movements = await session.scalar(
            select(func.count()).select_from(StockMovement).where(StockMovement.kind == "issue")
        )
        events = await session.scalars(
            select(OutboxEvent.event_type)
            .where(
                OutboxEvent.event_type.in_(["order.shipped", "order.delivered"])
                | OutboxEvent.event_type.like("shipment.%")
            )
            .order_by(OutboxEvent.event_type)
        )
        return int(movements or 0), list(events)


async def test_ship_in_full_issues_stock_and_ships_the_order_once(
    client, auth, data, sessionmaker
) -> None:
    placed = await picked_order(client, auth, {"S-1": "4", "S-2": "2"})
    assert await level(client, auth, "S-1") == ("4", "4")
    body = await created(client, auth, placed["id"], None, packed={"S-1": "4", "S-2": "2"})
    assert body["number"].startswith(f"SH-{datetime.now(UTC).year}-")
    assert len(body["number"]) == len("SH-2026-000001")
    assert body["status"] == "ready" and body["own_fleet"] is True and body["carrier"] is None
    assert [(x["sku"], x["quantity"]) for x in body["lines"]] == [("S-1", "4"), ("S-2", "2")]
    assert body["customer"] == {"code": "ACME", "name": "Acme Trading"}
    assert body["order_number"] == placed["number"] and body["ship_to"]["city"] == "上海市"
    assert body["packages"][0]["contents"] == [
        {"sku": "S-1", "quantity": "4"},
        {"sku": "S-2", "quantity": "2"},
    ]

    verified = await verify(client, auth, body["id"], {"S-1": "4", "S-2": "2"})
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified_at"] is not None
    shipped_at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    response = await confirm(
        client, auth, body["id"], shipped_at=shipped_at, vehicle_plate="沪A12345", driver="Li"
    )
    assert response.status_code == 200, response.text
    shipped = response.json()
    assert shipped["status"] == "shipped" and shipped["vehicle_plate"] == "沪A12345"
    assert shipped["driver"] == "Li" and shipped["shipped_by"]
    assert await level(client, auth, "S-1") == ("0", "0")
    assert await level(client, auth, "S-2") == ("0", "0")
    order = await order_view(client, auth, placed["id"])
    assert order["fulfillment_status"] == "shipped"
    assert {x["sku"]: x["shipped"] for x in order["lines"]} == {"S-1": "4", "S-2": "2"}
    assert {x["sku"]: x["reserved"] for x in order["lines"]} == {"S-1": "0", "S-2": "0"}
    movements, events = await counts(sessionmaker)
    assert movements == 2 and events.count("order.shipped") == 1
    async with sessionmaker() as session:
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.event_type == "order.shipped")
        )
        assert event is not None
        assert event.payload["order_number"] == placed["number"]
        assert event.payload["shipment_number"] == body["number"]
        assert event.payload["carrier"] == "own_fleet"
        assert [x["sku"] for x in event.payload["lines"]] == ["S-1", "S-2"]
        references = await session.scalars(
            select(StockMovement.reference).where(StockMovement.kind == "issue")
        )
        assert set(references) == {body["number"]}
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []

    again = await confirm(client, auth, body["id"], driver="Someone else")
    assert again.status_code == 200, again.text
    assert again.json()["driver"] == "Li" and again.json()["version"] == shipped["version"]
    assert await counts(sessionmaker) == (movements, events)
    assert await level(client, auth, "S-1") == ("0", "0")

    fetched = await client.get(f"{SHIPMENTS}/{body['id']}", headers=await auth.as_role("viewer"))
    assert fetched.status_code == 200 and fetched.json()["status"] == "shipped"


async def test_partial_shipments_and_own_fleet_delivery(client, auth, data, sessionmaker) -> None:
    placed = await picked_order(client, auth, {"S-1": "5"})
    first = await created(client, auth, placed["id"], {"S-1": "2"})
    assert_problem(
        await create(client, auth, placed["id"], {"S-1": "4"}), 422, field="lines.0.quantity"
    )
    assert (await verify(client, auth, first["id"], {"S-1": "2"})).status_code == 200
    assert (await confirm(client, auth, first["id"])).status_code == 200
    assert await level(client, auth, "S-1") == ("3", "3")
    order = await order_view(client, auth, placed["id"])
    assert order["fulfillment_status"] == "partially_shipped"
    assert order["lines"][0]["shipped"] == "2"
    assert order["lines"][0]["reserved"] == "3"
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []

    signature = base64.b64encode(b"\x89PNG signature").decode()
    delivered = await client.post(
        f"{SHIPMENTS}/{first['id']}/deliver",
        headers=await headers(auth),
        json={"receiver_name": "王五", "signature": signature},
    )
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["status"] == "delivered" and delivered.json()["has_signature"]
    assert delivered.json()["receiver_name"] == "王五"
    order = await order_view(client, auth, placed["id"])
    assert order["fulfillment_status"] == "partially_delivered"
    assert order["lines"][0]["delivered"] == "2"

    # The rest: the default lines are what is left of the pick.
    rest = await created(client, auth, placed["id"], None, packed={"S-1": "3"})
    assert [(x["sku"], x["quantity"]) for x in rest["lines"]] == [("S-1", "3")]
    assert (await verify(client, auth, rest["id"], {"S-1": "3"})).status_code == 200
    assert (await confirm(client, auth, rest["id"])).status_code == 200
    order = await order_view(client, auth, placed["id"])
    assert order["lines"][0]["shipped"] == "5"
    deliver = await client.post(
        f"{SHIPMENTS}/{rest['id']}/deliver",
        headers=await headers(auth),
        json={"receiver_name": "王五"},
    )
    assert deliver.status_code == 200, deliver.text
    order = await order_view(client, auth, placed["id"])
    assert order["fulfillment_status"] == "delivered"
    assert order["lines"][0]["delivered"] == "5"
    assert (await counts(sessionmaker))[1].count("order.delivered") == 2
    assert await level(client, auth, "S-1") == ("0", "0")
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []

    listed = await client.get(
        f"{SHIPMENTS}?order_id={placed['id']}&limit=1", headers=await auth.as_role("viewer")
    )
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert [x["id"] for x in page["items"]] == [rest["id"]] and page["next_cursor"]
    following = await client.get(
        f"{SHIPMENTS}?order_id={placed['id']}&limit=1&cursor={page['next_cursor']}",
        headers=await auth.as_role("viewer"),
    )
    assert [x["id"] for x in following.json()["items"]] == [first["id"]]
    delivered_only = await client.get(
        f"{SHIPMENTS}?warehouse=HZ&status=delivered", headers=await auth.as_role("viewer")
    )
    assert len(delivered_only.json()["items"]) == 2


async def test_verification_mismatch_and_confirm_without_verify(client, auth, data) -> None:
    placed = await picked_order(client, auth, {"S-1": "3", "S-2": "1"})
    body = await created(client, auth, placed["id"], {"S-1": "3", "S-2": "1"})
    problem = assert_problem(
        await verify(client, auth, body["id"], {"S-1": "2", "S-2": "1"}),
        409,
        code="verification_mismatch",
    )
    assert len(problem["errors"]) == 1
    assert "S-1" in problem["errors"][0]["message"]
    assert "expected 3" in problem["errors"][0]["message"]
    assert "scanned 2" in problem["errors"][0]["message"]
    assert_problem(await confirm(client, auth, body["id"]), 409, code="not_verified")
    assert await level(client, auth, "S-1") == ("3", "3")


async def test_more_than_picked_and_bad_packages_write_nothing(
    client, auth, data, sessionmaker
) -> None:
    placed = await picked_order(client, auth, {"S-1": "2"})
    assert_problem(
        await create(client, auth, placed["id"], {"S-1": "3"}), 422, field="lines.0.quantity"
    )
    assert_problem(
        await create(client, auth, placed["id"], {"S-1": "2"}, packed={"S-1": "1"}),
        422,
        field="packages",
    )
    response = await client.post(
        SHIPMENTS,
        headers=await headers(auth),
        json={
            "order_id": placed["id"],
            "warehouse": "HZ",
            "lines": [{"sku": "S-1", "quantity": "2"}],
            "packages": [package({"S-1": "1"})],
        },
    )
    assert_problem(response, 422, field="packages")
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Shipment)) == 0
    assert await counts(sessionmaker) == (0, [])


async def test_carrier_shipments_are_not_delivered_here(client, auth, data) -> None:
    placed = await picked_order(client, auth, {"S-1": "1"})
    body = await created(client, auth, placed["id"], {"S-1": "1"}, carrier="SF")
    assert body["own_fleet"] is False
    assert body["carrier"] == {"code": "SF", "name": "SF Express"}
    assert (await verify(client, auth, body["id"], {"S-1": "1"})).status_code == 200
    assert (await confirm(client, auth, body["id"])).status_code == 200
    assert_problem(
        await client.post(
            f"{SHIPMENTS}/{body['id']}/deliver",
            headers=await headers(auth),
            json={"receiver_name": "x"},
        ),
        409,
        code="carrier_shipment",
    )
    assert_problem(
        await create(client, auth, placed["id"], {"S-1": "1"}, carrier="NOPE"), 422, field="carrier"
    )


async def test_permissions(client, auth, data) -> None:
    placed = await picked_order(client, auth, {"S-1": "1"})
    body = {
        "order_id": placed["id"],
        "warehouse": "HZ",
        "packages": [package({"S-1": "1"})],
    }
    assert_problem(await client.post(SHIPMENTS, json=body), 401)
    assert_problem(await client.get(SHIPMENTS), 401)
    assert_problem(
        await client.post(SHIPMENTS, json=body, headers=await auth.as_role("sales")), 403
    )
    shipment = await created(client, auth, placed["id"], {"S-1": "1"})
    assert_problem(
        await client.post(
            f"{SHIPMENTS}/{shipment['id']}/confirm", json={}, headers=await auth.as_role("sales")
        ),
        403,
    )
    readable = await client.get(SHIPMENTS, headers=await auth.with_scopes("stock:read"))
    assert readable.status_code == 200


async def test_after_shipping_a_backorder_is_picked_and_shipped_again(
    client, auth, data, sessionmaker
) -> None:
    """What a confirmed shipment took no longer counts as picked-not-shipped: stock arriving
    for the rest of the order is put on a new pick list and shipped."""
    await client.post(
        "/api/v1/stock/movements",
        headers=await headers(auth),
        json={"warehouse": "HZ", "sku": "S-2", "kind": "receipt", "quantity": "3"},
    )
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": "S-2", "quantity": "5"}],
            "submit": True,
        },
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["fulfillment_status"] == "partially_reserved"

    async def pick(quantity: str) -> None:
        response = await client.post(
            "/api/v1/pick-lists",
            headers=await headers(auth),
            json={"warehouse": "HZ", "order_ids": [placed["id"]]},
        )
        assert response.status_code == 201, response.text
        assert response.json()["lines"][0]["quantity"] == quantity
        done = await client.post(
            f"/api/v1/pick-lists/{response.json()['id']}/confirm",
            headers=await headers(auth),
            json={"lines": [{"sku": "S-2", "picked": quantity}]},
        )
        assert done.status_code == 200, done.text

    async def ship(quantity: str) -> None:
        shipment = await created(client, auth, placed["id"], None, packed={"S-2": quantity})
        assert shipment["lines"][0]["quantity"] == quantity
        assert (await verify(client, auth, shipment["id"], {"S-2": quantity})).status_code == 200
        assert (await confirm(client, auth, shipment["id"])).status_code == 200

    await pick("3")
    await ship("3")
    response = await client.post(
        "/api/v1/stock/movements",
        headers=await headers(auth),
        json={"warehouse": "HZ", "sku": "S-2", "kind": "receipt", "quantity": "2"},
    )
    assert response.status_code == 201, response.text
    order = await order_view(client, auth, placed["id"])
    assert order["lines"][0]["reserved"] == "2", order
    await pick("2")
    await ship("2")
    order = await order_view(client, auth, placed["id"])
    assert order["fulfillment_status"] == "shipped" and order["lines"][0]["shipped"] == "5"
    assert await level(client, auth, "S-2") == ("0", "0")
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_proof_of_delivery_with_signature_and_photo(client, auth, data) -> None:
    placed = await picked_order(client, auth, {"S-1": "1"})
    ship = await created(client, auth, placed["id"], {"S-1": "1"})
    await verify(client, auth, ship["id"], {"S-1": "1"})
    await confirm(client, auth, ship["id"], vehicle_plate="沪A·12345", driver="李四")
    proof_url = f"{SHIPMENTS}/{ship['id']}/proof-of-delivery"
    assert_problem(await client.get(proof_url, headers=await headers(auth)), 404)

    photo = base64.b64encode(b"\xff\xd8\xff\xe0 jpeg bytes").decode()
    signature = base64.b64encode(b"\x89PNG signature").decode()
    deliver_url = f"{SHIPMENTS}/{ship['id']}/deliver"
    # A photo without its type, a type without a photo, a photo that is not base64: 422.
    for body, field in (
        ({"photo": photo}, "photo_content_type"),
        ({"photo_content_type": "image/jpeg"}, "photo_content_type"),
        ({"photo": "not base64!", "photo_content_type": "image/jpeg"}, "photo"),
        ({"photo": photo, "photo_content_type": "application/pdf"}, "photo_content_type"),
    ):
        refused = await client.post(
            deliver_url, headers=await headers(auth), json={"receiver_name": "王五", **body}
        )
        assert_problem(refused, 422, field=field)
    assert (await client.get(f"{SHIPMENTS}/{ship['id']}", headers=await headers(auth))).json()[
        "status"
    ] == "shipped"

    delivered = await client.post(
        deliver_url,
        headers=await headers(auth),
        json={
            "receiver_name": "王五",
            "signature": signature,
            "photo": photo,
            "photo_content_type": "image/jpeg",
            "delivered_at": "2026-11-23T10:30:00+08:00",
        },
    )
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["has_photo"] and delivered.json()["has_signature"]
    proof = (await client.get(proof_url, headers=await auth.as_role("viewer"))).json()
    assert proof["receiver_name"] == "王五"
    assert proof["delivered_at"].startswith("2026-11-23T02:30:00")
    assert (proof["signature"], proof["photo"], proof["photo_content_type"]) == (
        signature,
        photo,
        "image/jpeg",
    )


async def test_check_reports_order_lines_that_disagree_with_their_shipments(
    client, auth, data, sessionmaker
) -> None:
    placed = await picked_order(client, auth, {"S-1": "2"})
    ship = await created(client, auth, placed["id"], {"S-1": "2"})
    await verify(client, auth, ship["id"], {"S-1": "2"})
    await confirm(client, auth, ship["id"])
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []

    async with sessionmaker() as session:
        line = (await session.scalars(select(OrderLine).where(OrderLine.sku == "S-1"))).one()
        line.quantity_delivered = Decimal("1")  # no shipment was delivered
        await session.commit()
    found = await check_invariants(SqlAlchemyUnitOfWork(sessionmaker))
    assert [(v.rule, v.order_line_id) for v in found] == [("line_delivered_mismatch", str(line.id))]
    assert "delivered 1 differs from its shipments' 0" in found[0].detail
