"""Warehouse documents through the HTTP API, on both engines: every document rendered, its
Chinese text, numbers and quantities read back from the PDF, and every barcode and QR code
decoded from the page images and compared with the data."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.repositories.carriers import Carrier
from app.repositories.picking import PickListLine
from app.repositories.shipments import Shipment
from app.repositories.uow import SqlAlchemyUnitOfWork
from tests.builders import a_customer, a_picked_order, a_product, a_warehouse
from tests.factories import make_customer, make_product, make_warehouse
from tests.pdf_support import decoded_codes, page_images, page_sizes, pdf_pages, pdf_text
from tests.support import assert_problem

SHANGHAI = {
    "country": "CN",
    "region": "上海市",
    "city": "上海市",
    "district": "浦东新区",
    "street": "张江路 88 号",
}
BINS = {"DOC-1": "A-01-1-1", "DOC-2": "A-02-3-1", "DOC-3": "B-01-1-1"}
BASE_URL = "http://localhost:8000"  # the default LADING_PUBLIC_BASE_URL


@pytest.fixture
async def data(sessionmaker):
    names = {"DOC-1": "螺丝刀套装", "DOC-2": "电钻", "DOC-3": "卷尺"}
    for sku, name in names.items():
        await make_product(
            sessionmaker,
            sku,
            name=name,
            spec="工业级",
            list_price="10.00",
            floor_price=None,
            tax_rate="0",
        )
    hz = await make_warehouse(
        sessionmaker, "HZ", name="杭州仓", latitude=Decimal("30.27"), longitude=Decimal("120.15")
    )
    await make_customer(
        sessionmaker,
        "ACME",
        name="华东贸易有限公司",
        credit_limit="1000000",
        contacts=[{"name": "王芳", "phone": "+86 21 5080 1234"}],
    )
    await make_customer(
        sessionmaker, "GLOBEX", name="Globex Ltd", credit_limit="1000000", language="en",
        contacts=[{"name": "Hank Scorpio", "phone": "+1 555 0100"}],
    )  # fmt: skip
    return hz


async def placed_and_picked(
    client, auth, hz, customer: str, lines: dict[str, str]
) -> tuple[dict, dict]:
    """Stock with bins, an order, its pick list (not yet confirmed)."""
    headers = await auth.as_role("warehouse")
    for sku, location in BINS.items():
        r = await client.put(
            f"/api/v1/warehouses/{hz.id}/bins/{sku}", headers=headers, json={"location": location}
        )
        assert r.status_code == 200, r.text
    for sku, quantity in lines.items():
        r = await client.post(
            "/api/v1/stock/movements",
            headers=headers,
            json={"warehouse": "HZ", "sku": sku, "kind": "receipt", "quantity": quantity},
        )
        assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": customer},
            "ship_to": SHANGHAI,
            "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
            "submit": True,
        },
    )
    assert r.status_code == 201, r.text
    order = r.json()
    r = await client.post(
        "/api/v1/pick-lists", headers=headers, json={"warehouse": "HZ", "order_ids": [order["id"]]}
    )
    assert r.status_code == 201, r.text
    return order, r.json()


async def shipped(client, auth, hz, customer: str = "ACME", **extra) -> tuple[dict, dict]:
    lines = {"DOC-1": "3", "DOC-2": "2"}
    order, pick_list = await placed_and_picked(client, auth, hz, customer, lines)
    headers = await auth.as_role("warehouse")
    r = await client.post(
        f"/api/v1/pick-lists/{pick_list['id']}/confirm",
        headers=headers,
        json={"lines": [{"sku": s, "picked": q} for s, q in lines.items()]},
    )
    assert r.status_code == 200, r.text
    box = {"length_cm": "40", "width_cm": "30", "height_cm": "20"}
    r = await client.post(
        "/api/v1/shipments",
        headers=headers,
        json={
            "order_id": order["id"],
            "warehouse": "HZ",
            "packages": [
                {**box, "weight_kg": "2.5", "contents": [{"sku": "DOC-1", "quantity": "3"}]},
                {**box, "weight_kg": "4.25", "contents": [{"sku": "DOC-2", "quantity": "2"}]},
            ],
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    return order, r.json()


async def pdf_of(client, auth, url: str, accept: str | None = None) -> bytes:
    headers = await auth.as_role("warehouse")
    if accept:
        headers = {**headers, "Accept": accept}
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def codes_of(pdf: bytes) -> set[tuple[str, str]]:
    return {code for image in page_images(pdf) for code in decoded_codes(image)}


async def test_pick_list_pdf(client, auth, data) -> None:
    order, pick_list = await placed_and_picked(
        client, auth, data, "ACME", {"DOC-1": "3", "DOC-2": "5", "DOC-3": "1"}
    )

    pdf = await pdf_of(client, auth, f"/api/v1/pick-lists/{pick_list['id']}.pdf")

    (text,) = pdf_text(pdf)
    for expected in (
        "拣货单",
        pick_list["number"],
        order["number"],
        "HZ",
        "A 区",
        "B 区",
        "螺丝刀套装",
        "电钻",
        "卷尺",
    ):
        assert expected in text, expected
    assert "第 1 页 / 共 1 页" in text
    walk = [m.group() for m in re.finditer(r"[AB]-0\d-\d-\d", text)]
    assert walk == ["A-01-1-1", "A-02-3-1", "B-01-1-1"]  # the walking path, zone by zone
    assert re.search(r"DOC-2 电钻 工业级 5 pcs", text)
    assert codes_of(pdf) >= {("Code128", pick_list["number"]), *(("Code128", s) for s in BINS)}


async def test_accept_pdf_on_the_json_routes(client, auth, data) -> None:
    _, shipment = await shipped(client, auth, data)
    json_answer = await client.get(
        f"/api/v1/shipments/{shipment['id']}", headers=await auth.as_role("viewer")
    )
    assert json_answer.headers["content-type"].startswith("application/json")

    pdf = await pdf_of(
        client, auth, f"/api/v1/shipments/{shipment['id']}", accept="application/pdf"
    )
    assert "发货单" in pdf_text(pdf)[0]
    r = await client.get("/api/v1/pick-lists", headers=await auth.as_role("viewer"))
    pick_list = r.json()["items"][0]
    headers = {**await auth.as_role("viewer"), "Accept": "application/pdf"}
    r = await client.get(f"/api/v1/pick-lists/{pick_list['id']}", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert pick_list["number"] in pdf_text(r.content)[0]


async def test_delivery_note_pdf(client, auth, data, sessionmaker) -> None:
    order, shipment = await shipped(client, auth, data)

    pdf = await pdf_of(client, auth, f"/api/v1/shipments/{shipment['id']}/delivery-note.pdf")

    (text,) = pdf_text(pdf)
    for expected in (
        "发货单", shipment["number"], order["number"], "华东贸易有限公司",
        "上海市上海市浦东新区 张江路 88 号",
        "王芳 +86 21 5080 1234", "自有车队", "仓库核对", "收货人签收", "6.75 kg", "2.5", "4.25",
        "40 × 30 × 20",
    ):  # fmt: skip
        assert expected in text, expected
    assert re.search(r"DOC-1 螺丝刀套装 工业级 3 pcs", text)
    assert re.search(r"DOC-2 电钻 工业级 2 pcs", text)
    token = await tracking_token(sessionmaker, shipment)
    assert codes_of(pdf) >= {
        ("Code128", shipment["number"]),
        ("QRCode", f"{BASE_URL}/api/v1/track/{token}"),
    }


async def tracking_token(sessionmaker, shipment: dict) -> str:
    """The public token is not in the API (it goes out in notifications): read it."""
    async with sessionmaker() as session:
        query = select(Shipment.tracking_token).where(Shipment.id == uuid.UUID(shipment["id"]))
        return (await session.scalars(query)).one()


async def test_a_carrier_delivery_note_in_english_with_tracking_barcode(
    client, auth, data, sessionmaker
) -> None:
    _, shipment = await shipped(client, auth, data, customer="GLOBEX")
    async with sessionmaker() as session:
        await session.execute(
            update(Shipment)
            .where(Shipment.id == uuid.UUID(shipment["id"]))
            .values(tracking_number="SF1234567890", service="standard")
        )
        await session.commit()

    pdf = await pdf_of(
        client, auth, f"/api/v1/shipments/{shipment['id']}/delivery-note.pdf?page_size=Letter"
    )

    (text,) = pdf_text(pdf)
    for expected in (
        "Delivery note",
        "Hank Scorpio",
        "Own fleet",
        "SF1234567890",
        "Received by",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    assert page_sizes(pdf) == [(612.0, 792.0)]
    assert ("Code128", "SF1234567890") in codes_of(pdf)
    chinese = await pdf_of(
        client, auth, f"/api/v1/shipments/{shipment['id']}/delivery-note.pdf?language=zh-CN"
    )
    assert "发货单" in pdf_text(chinese)[0]


async def test_packing_slips_one_page_per_package(client, auth, data) -> None:
    _, shipment = await shipped(client, auth, data)

    pdf = await pdf_of(client, auth, f"/api/v1/shipments/{shipment['id']}/packing-slips.pdf")

    first, second = pdf_text(pdf)
    assert (
        "装箱单" in first
        and "第 1 箱 / 共 2 箱" in first
        and re.search(r"DOC-1 螺丝刀套装 工业级 3 pcs", first)
    )
    assert (
        "第 2 箱 / 共 2 箱" in second
        and "DOC-1" not in second
        and re.search(r"DOC-2 电钻 工业级 2 pcs", second)
    )
    assert "4.25" in second


async def test_shipping_label_for_the_own_fleet_and_409_for_labelling_carriers(
    client, auth, data, sessionmaker
) -> None:
    _, shipment = await shipped(client, auth, data)

    pdf = await pdf_of(client, auth, f"/api/v1/shipments/{shipment['id']}/shipping-label.pdf")

    assert pdf_pages(pdf) == 2  # a label per package
    assert page_sizes(pdf) == [(283.5, 425.2)] * 2
    texts = pdf_text(pdf)
    assert "面单" in texts[0] and "王芳" in texts[0] and "第 2 箱 / 共 2 箱" in texts[1]
    token = await tracking_token(sessionmaker, shipment)
    assert codes_of(pdf) >= {
        ("Code128", shipment["number"]),
        ("QRCode", f"{BASE_URL}/api/v1/track/{token}"),
    }

    async with sessionmaker() as session:
        carrier = Carrier(
            code="EP", name="EasyPost", adapter_kind="easypost", services=[], coverage={"CN": []},
            max_package_weight_kg=Decimal("30"), goods_classes=[], currency="CNY", transit_days={},
            rates={}, surcharges={}, cutoff_time="17:00", zone_rules={}, version=1,
        )  # fmt: skip
        session.add(carrier)
        await session.flush()
        await session.execute(
            update(Shipment)
            .where(Shipment.id == uuid.UUID(shipment["id"]))
            .values(carrier_id=carrier.id)
        )
        await session.commit()
    r = await client.get(
        f"/api/v1/shipments/{shipment['id']}/shipping-label.pdf",
        headers=await auth.as_role("warehouse"),
    )
    assert_problem(r, 409, code="carrier_prints_label")


async def test_a_300_line_pick_list_paginates(client, auth, sessionmaker) -> None:
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    warehouse = await a_warehouse(uow)
    customer = await a_customer(uow)
    products = [await a_product(uow, f"BIG-{n:03d}", name=f"商品{n}") for n in range(300)]
    picked = await a_picked_order(
        uow, customer, warehouse, [(p, Decimal(n + 1)) for n, p in enumerate(products)]
    )
    async with sessionmaker() as session:
        lines = (
            await session.scalars(
                select(PickListLine).where(PickListLine.pick_list_id == picked.pick_list.id)
            )
        ).all()
        for line in lines:
            n = line.line_no - 1
            line.zone, line.aisle, line.shelf, line.bin = (
                f"Z{n // 60}",
                f"{n % 60 // 10:02d}",
                "1",
                f"{n % 10:02d}",
            )
        await session.commit()

    pdf = await pdf_of(client, auth, f"/api/v1/pick-lists/{picked.pick_list.id}.pdf")

    texts = pdf_text(pdf)
    assert len(texts) > 5
    for n, text in enumerate(texts, start=1):
        assert all(title in text for title in ("库位", "SKU", "品名", "数量", "核对", "条码")), n
        assert f"第 {n} 页 / 共 {len(texts)} 页" in text
    everything = "\n".join(texts)
    assert re.findall(r"^Z\d 区", everything, flags=re.MULTILINE) == [f"Z{z} 区" for z in range(5)]
    skus = list(dict.fromkeys(re.findall(r"BIG-\d{3}", everything)))
    assert skus == [f"BIG-{n:03d}" for n in range(300)]
    assert re.search(r"BIG-299 商品299 +300 pcs", everything)
    assert {("Code128", f"BIG-{n:03d}") for n in range(5)} <= set(
        decoded_codes(page_images(pdf)[0])
    )


async def test_batch_print(client, auth, data) -> None:
    _, first = await shipped(client, auth, data)
    _, second = await shipped(client, auth, data, customer="GLOBEX")
    r = await client.get("/api/v1/pick-lists", headers=await auth.as_role("viewer"))
    pick_lists = r.json()["items"]
    headers = await auth.as_role("warehouse")

    r = await client.post(
        "/api/v1/documents/print",
        headers=headers,
        json={"kind": "pick_list", "ids": [p["id"] for p in pick_lists]},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    texts = pdf_text(r.content)
    assert len(texts) == len(pick_lists) == 2
    assert [p["number"] in t for p, t in zip(pick_lists, texts, strict=True)] == [True, True]
    assert all("第 1 页 / 共 1 页" in t for t in texts)

    r = await client.post(
        "/api/v1/documents/print",
        headers=headers,
        json={"kind": "delivery_note", "ids": [first["id"], second["id"]]},
    )
    assert r.status_code == 200
    one, two = pdf_text(r.content)
    assert first["number"] in one and "发货单" in one
    assert second["number"] in two and "Delivery note" in two  # each in its customer's language
    assert {("Code128", first["number"]), ("Code128", second["number"])} <= codes_of(r.content)


async def test_bad_input(client, auth, data) -> None:
    headers = await auth.as_role("warehouse")
    unknown = uuid.uuid4()
    print_url = "/api/v1/documents/print"
    body = assert_problem(
        await client.post(
            print_url, headers=headers, json={"kind": "pick_list", "ids": [str(unknown)]}
        ),
        404,
    )
    assert str(unknown) in body["detail"]
    assert_problem(
        await client.post(
            print_url, headers=headers, json={"kind": "invoice", "ids": [str(unknown)]}
        ),
        422,
        field="kind",
    )
    assert_problem(
        await client.post(print_url, headers=headers, json={"kind": "pick_list", "ids": []}),
        422,
        field="ids",
    )
    too_many = [str(uuid.uuid4()) for _ in range(201)]
    assert_problem(
        await client.post(print_url, headers=headers, json={"kind": "pick_list", "ids": too_many}),
        422,
        field="ids",
    )
    twice = [str(unknown), str(unknown)]
    assert_problem(
        await client.post(print_url, headers=headers, json={"kind": "pick_list", "ids": twice}),
        422,
        field="ids",
    )
    assert_problem(
        await client.post(print_url, headers=headers, json={"kind": "pick_list", "ids": ["nope"]}),
        422,
    )
    assert_problem(await client.get(f"/api/v1/pick-lists/{unknown}.pdf", headers=headers), 404)
    assert_problem(
        await client.get(f"/api/v1/shipments/{unknown}/delivery-note.pdf", headers=headers), 404
    )
    assert_problem(
        await client.get(f"/api/v1/pick-lists/{unknown}.pdf?page_size=A3", headers=headers),
        422,
        field="page_size",
    )
    assert_problem(await client.get(f"/api/v1/pick-lists/{unknown}.pdf"), 401)
    assert_problem(
        await client.get(
            f"/api/v1/pick-lists/{unknown}.pdf", headers=await auth.with_scopes("orders:write")
        ),
        403,
    )


async def test_warehouse_documents_follow_the_company_settings(client, auth, data) -> None:
    """The admin's company name heads the pick list, and its page size is the default."""
    _, pick_list = await placed_and_picked(client, auth, data, "ACME", {"DOC-1": "1"})
    admin = await auth.as_role("admin")
    body = {"name": "杭州拉丁供应链有限公司", "page_size": "Letter"}
    put = await client.put(
        "/api/v1/settings/company", json=body, headers={**admin, "If-Match": '"0"'}
    )
    assert put.status_code == 200, put.text

    pdf = await pdf_of(client, auth, f"/api/v1/pick-lists/{pick_list['id']}.pdf")
    assert page_sizes(pdf) == [(612.0, 792.0)]
    assert "杭州拉丁供应链有限公司" in pdf_text(pdf)[0]
    a4 = await pdf_of(client, auth, f"/api/v1/pick-lists/{pick_list['id']}.pdf?page_size=A4")
    assert page_sizes(a4) == [(595.3, 841.9)]
