"""Printed finance and route documents through HTTP, on both engines: each PDF downloads, its
text holds the Chinese (or English) labels, numbers and totals and, for CNY, the total in
capital numerals; its barcodes and QR codes decode from the rendered page to their data; a
long invoice paginates with its table header on every page."""

from __future__ import annotations

import base64
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import update

from app import bootstrap
from app.repositories.customers import Customer
from app.repositories.returns import Return
from app.repositories.shipments import Shipment
from tests.builders import a_customer, a_product, a_warehouse
from tests.delivery_builders import a_vehicle
from tests.integration.after_sales.support import delivered, request_return
from tests.integration.billing.books_support import a_payment, an_invoice, apply
from tests.integration.billing.helpers import SPECIAL_BUYER
from tests.integration.documents.test_company_settings import DETAILS, png
from tests.integration.routing.test_delivery_plans import PLANS, depot, plan
from tests.integration.test_shipments import data
from tests.pdf_support import decoded_codes, page_images, page_sizes, pdf_pages, pdf_text
from tests.support import assert_problem

__all__ = ["data", "depot"]

D = Decimal
COMPANY = "/api/v1/settings/company"


@pytest.fixture
def uow(sessionmaker, settings):
    return bootstrap.unit_of_work(sessionmaker, bootstrap.build_bus(settings))


async def set_company(client, auth, **changes) -> None:
    body = {**DETAILS, "page_size": "A4", "logo": base64.b64encode(png()).decode(), **changes}
    admin = {**(await auth.as_role("admin")), "If-Match": '"0"'}
    response = await client.put(COMPANY, json=body, headers=admin)
    assert response.status_code == 200, response.text


async def pdf(client, headers, url: str, **params) -> bytes:
    response = await client.get(url, headers=headers, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline; filename=")
    return response.content


def codes(document: bytes) -> set[tuple[str, str]]:
    return {code for image in page_images(document) for code in decoded_codes(image)}


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
async def invoiced(uow):
    customer = await a_customer(uow, tax_registration=SPECIAL_BUYER)
    warehouse = await a_warehouse(uow)
    a = await a_product(uow, "INV-A", name="不锈钢螺丝刀", list_price=D("100"), tax_rate=D("0.13"))
    b = await a_product(uow, "INV-B", name="劳保手套", list_price=D("10"), tax_rate=D("0.06"))
    invoice = await an_invoice(uow, customer, warehouse, [(a, 2), (b, 3)])
    return {"customer": customer, "invoice": invoice, "warehouse": warehouse}


async def test_an_invoice_prints_in_chinese_with_the_total_in_words(client, auth, invoiced) -> None:
    await set_company(client, auth)
    invoice = invoiced["invoice"]
    # 2 × 100.00 at 13% = 200.00 + 26.00; 3 × 10.00 at 6% = 30.00 + 1.80: 257.80 in all.
    assert invoice.total == D("257.80")
    document = await pdf(
        client, await auth.as_role("finance"), f"/api/v1/invoices/{invoice.id}.pdf"
    )
    (text,) = pdf_text(document)
    for expected in (
        "发票",
        invoice.number,
        DETAILS["name"],
        DETAILS["tax_id"],
        "招商银行上海张江支行",
        SPECIAL_BUYER["buyer_name"],
        SPECIAL_BUYER["taxpayer_id"],
        SPECIAL_BUYER["account"],
        "INV-A",
        "不锈钢螺丝刀",
        "劳保手套",
        "价税合计",
        "13%",
        "6%",
        "226.00",
        "31.80",
        "257.80",
        "27.80",
        "CNY",
        "第 1 页 / 共 1 页",
    ):
        assert expected in text, expected
    assert "贰佰伍拾柒元捌角整" in flat(text)
    assert ("Code128", invoice.number) in codes(document)
    assert page_sizes(document) == [(595.3, 841.9)]


async def test_accept_pdf_prints_the_invoice_and_json_stays_the_default(
    client, auth, invoiced
) -> None:
    invoice = invoiced["invoice"]
    headers = await auth.as_role("viewer")
    printed = await client.get(
        f"/api/v1/invoices/{invoice.id}", headers={**headers, "Accept": "application/pdf"}
    )
    assert printed.status_code == 200, printed.text
    assert printed.headers["content-type"] == "application/pdf"
    assert invoice.number in pdf_text(printed.content)[0]
    plain = await client.get(f"/api/v1/invoices/{invoice.id}", headers=headers)
    assert plain.json()["number"] == invoice.number
    both = await client.get(
        f"/api/v1/invoices/{invoice.id}",
        headers={**headers, "Accept": "application/json, application/pdf;q=0.5"},
    )
    assert both.headers["content-type"].startswith("application/json")


async def test_an_english_customer_gets_english_labels_and_no_words(
    client, auth, invoiced, sessionmaker
) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(Customer).where(Customer.id == invoiced["customer"].id).values(language="en")
        )
        await session.commit()
    invoice = invoiced["invoice"]
    headers = await auth.as_role("finance")
    document = await pdf(client, headers, f"/api/v1/invoices/{invoice.id}.pdf")
    (text,) = pdf_text(document)
    for expected in ("Invoice", "Unitprice", "Taxrate", "Totaldue", "Page1of1", "257.80"):
        assert expected in flat(text), expected
    assert "发票" not in text and "大写" not in text and "元" not in text
    assert "Lading" in text  # no company set: the default name
    chinese = await pdf(
        client, headers, f"/api/v1/invoices/{invoice.id}.pdf", language="zh-CN", page_size="Letter"
    )
    assert "贰佰伍拾柒元捌角整" in flat(pdf_text(chinese)[0])
    assert page_sizes(chinese) == [(612.0, 792.0)]


async def test_the_company_page_size_is_the_default(client, auth, invoiced) -> None:
    await set_company(client, auth, page_size="Letter")
    document = await pdf(
        client, await auth.as_role("finance"), f"/api/v1/invoices/{invoiced['invoice'].id}.pdf"
    )
    assert page_sizes(document) == [(612.0, 792.0)]


async def test_an_80_line_invoice_repeats_its_table_header_on_every_page(client, auth, uow) -> None:
    customer = await a_customer(uow)
    warehouse = await a_warehouse(uow)
    products = [
        await a_product(uow, f"L-{n:03d}", name=f"配件{n:03d}", list_price=D("1.00"))
        for n in range(1, 81)
    ]
    invoice = await an_invoice(uow, customer, warehouse, [(p, 1) for p in products])
    document = await pdf(
        client, await auth.as_role("finance"), f"/api/v1/invoices/{invoice.id}.pdf"
    )
    pages = pdf_pages(document)
    assert pages >= 2
    texts = pdf_text(document)
    for n, text in enumerate(texts, start=1):
        assert "商品编码" in text and "单价" in text, n
        assert f"第 {n} 页 / 共 {pages} 页" in text
    everything = "\n".join(texts)
    assert all(f"L-{n:03d}" in everything for n in range(1, 81))
    assert "90.40" in texts[-1]  # 80.00 + 13% on the last page's totals
    assert "玖拾元肆角整" in flat(texts[-1])


async def test_invoice_pdfs_need_the_invoices_read_scope(client, auth, invoiced) -> None:
    url = f"/api/v1/invoices/{invoiced['invoice'].id}.pdf"
    assert_problem(await client.get(url, headers=await auth.with_scopes("stock:read")), 403)
    missing = "/api/v1/invoices/00000000-0000-0000-0000-000000000000.pdf"
    assert_problem(await client.get(missing, headers=await auth.as_role("finance")), 404)
    bad = await client.get(url, headers=await auth.as_role("finance"), params={"page_size": "A3"})
    assert_problem(bad, 422)


async def test_a_statement_prints_balances_running_and_aged(client, auth, uow, invoiced) -> None:
    customer, invoice = invoiced["customer"], invoiced["invoice"]
    payment = await a_payment(uow, customer, D("100.00"))
    await apply(uow, payment.id, invoice.id, D("100.00"))
    headers = await auth.as_role("finance")
    url = f"/api/v1/customers/{customer.id}/statement"
    figures = (await client.get(url, headers=headers)).json()
    (cny,) = figures["currencies"]
    assert D(cny["closing_balance"]) == D("157.80")
    document = await pdf(client, headers, f"{url}.pdf")
    text = "\n".join(pdf_text(document))
    for expected in (
        "对账单",
        customer.name,
        "期初余额",
        "期末余额",
        invoice.number,
        payment.number,
        "257.80",
        "100.00",
        "157.80",
        "账龄分析",
        "未到期",
        "第 1 页 / 共 1 页",
    ):
        assert expected in text, expected
    assert "壹佰伍拾柒元捌角整" in flat(text)
    english = pdf_text(await pdf(client, headers, f"{url}.pdf", language="en"))[0]
    assert "Customer statement" in english and "Closing balance" in english
    assert "Page 1 of 1" in english


async def test_a_statement_takes_the_json_statement_parameters(client, auth, invoiced) -> None:
    url = f"/api/v1/customers/{invoiced['customer'].id}/statement.pdf"
    headers = await auth.as_role("finance")
    backwards = await client.get(
        url, headers=headers, params={"from": "2026-02-01", "to": "2026-01-01"}
    )
    assert_problem(backwards, 422, field="from")
    empty = await pdf(client, headers, url, **{"from": "2000-01-01", "to": "2000-01-31"})
    assert "2000-01-01 – 2000-01-31" in pdf_text(empty)[0]
    assert_problem(await client.get(url, headers=await auth.with_scopes("stock:read")), 403)


async def test_a_driver_manifest_prints_its_stops_with_barcodes(client, auth, depot) -> None:
    await a_vehicle(depot["uow"], depot["hub"], "V-001")
    headers = await auth.as_role("warehouse")
    body = (await plan(client, headers)).json()
    route = body["routes"][0]
    url = f"{PLANS}/{body['id']}/routes/{route['id']}/manifest.pdf"
    document = await pdf(client, headers, url)
    text = "\n".join(pdf_text(document))
    expected_texts = ("派车单", "李师傅", "+86 139 0000 0000", "V-001", "王芳", "装车顺序")
    for expected in (*expected_texts, body["number"]):
        assert expected in text, expected
    numbers = [s["shipment_number"] for s in route["stops"]]
    found = codes(document)
    for number in numbers:
        assert ("Code128", number) in found, number
    # The loading order lists the last stop first.
    loading = text[text.index("装车顺序") :]
    assert loading.index(numbers[-1]) < loading.index(numbers[0])
    english = pdf_text(await pdf(client, headers, url, language="en"))[0]
    assert "Driver manifest" in english and "Loading order" in english
    assert_problem(await client.get(url, headers=await auth.with_scopes("invoices:read")), 403)


async def test_a_return_authorisation_prints_where_to_send_the_goods(
    client, auth, data, sessionmaker, settings
) -> None:
    order, shipment = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "2"}, method="carrier_label")
    async with sessionmaker() as session:
        await session.execute(
            update(Return)
            .where(Return.id == uuid.UUID(ret["id"]))
            .values(tracking_number="SF1234567890", label_status="purchased")
        )
        delivery = await session.get(Shipment, uuid.UUID(shipment["id"]))
        assert delivery is not None
        token = delivery.tracking_token
        await session.commit()
    headers = await auth.as_role("viewer")
    document = await pdf(client, headers, f"/api/v1/returns/{ret['id']}/authorisation.pdf")
    text = "\n".join(pdf_text(document))
    for expected in (
        "退货授权",
        ret["number"],
        order["number"],
        "Acme Trading",
        "杭州仓",
        "商品损坏",
        "S-1",
        "SF1234567890",
        "退货寄往",
        "20.00",
    ):
        assert expected in text, expected
    found = codes(document)
    assert ("Code128", ret["number"]) in found
    assert ("Code128", "SF1234567890") in found
    link = f"{settings.public_base_url.rstrip('/')}/api/v1/track/{token}"
    assert ("QRCode", link) in found
    url = f"/api/v1/returns/{ret['id']}/authorisation.pdf"
    assert_problem(await client.get(url, headers=await auth.with_scopes("stock:read")), 403)
