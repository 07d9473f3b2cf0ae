"""Through HTTP on both engines: a return (RMA) approved, refused, received and resolved tells
its customer, in their language, routed from the outbox rows the requests wrote — once per
return, kind and channel; a customer that opted out is told nothing."""

from __future__ import annotations

import uuid
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

from sqlalchemy import update

from app.repositories.customers import Customer
from app.worker.routing import route_once
from app.worker.schedule import ROUTES
from tests.integration.after_sales.support import (
    RETURNS,
    data,
    decide,
    delivered,
    receive,
    request_return,
)
from tests.integration.after_sales.test_return_refunds import refund
from tests.integration.after_sales.test_returns import _threshold
from tests.integration.billing.test_payments import pay
from tests.integration.notifications.data import by_channel, notifications_of
from tests.integration.notifications.test_email import Inbox, smtp_server, smtp_settings
from tests.integration.notifications.test_order_life import _deliver

__all__ = ["data"]

RESTOCK = {"restock": "1", "scrap": "0"}


async def _route(sessionmaker, settings) -> None:
    while await route_once(sessionmaker, settings, ROUTES) >= settings.dispatcher_batch_size:
        pass


async def _customer(sessionmaker, order: dict, **values: Any) -> None:
    async with sessionmaker() as session:
        stmt = update(Customer).where(Customer.id == uuid.UUID(order["customer_id"]))
        await session.execute(stmt.values(**values))
        await session.commit()


async def _told(sessionmaker, settings, ret: dict, kind: str) -> dict:
    """The return's notifications of ``kind`` by channel, once the outbox is routed."""
    await _route(sessionmaker, settings)
    rows = [r for r in await notifications_of(sessionmaker, ret["id"]) if r.kind == kind]
    return by_channel(rows)


async def test_an_approved_return_tells_its_number_goods_and_how_they_come_back(
    client, auth, data, sessionmaker, settings
) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3", "S-2": "1"})
    ret = await request_return(client, auth, order, {"S-1": "2"})  # approved at once
    rows = await _told(sessionmaker, settings, ret, "return_approved")
    email = rows["email"]
    assert (email.status, email.language, email.recipient) == (
        "pending",
        "zh-CN",
        "wang@acme.example",
    )
    assert (email.subject_type, email.order_id) == ("return", uuid.UUID(order["id"]))
    assert email.message_subject == f"退货单 {ret['number']} 已批准"
    body = email.message_body
    assert f"您的退货申请 {ret['number']}（订单 {order['number']}）已批准" in body
    assert "- 螺丝刀 Screwdriver（S-1）× 2\n" in body and "S-2" not in body
    where = "杭州仓（浙江省 杭州市 余杭区 文一西路 969 号 311100）"
    assert f"退回方式：自行送回。请将商品送至{where}" in body
    sms = rows["sms"]
    assert (sms.recipient, sms.status) == ("+862150801234", "pending")
    assert sms.message_body == f"【Lading】退货单{ret['number']}已批准，请将商品送至杭州仓。"


async def test_a_refused_return_tells_the_reason_in_english(
    client, auth, data, sessionmaker, settings
) -> None:
    await _threshold(client, auth, "15")
    order, _ = await delivered(client, auth, {"S-1": "3"})
    await _customer(sessionmaker, order, language="en")
    ret = await request_return(client, auth, order, {"S-1": "2"})
    assert await _told(sessionmaker, settings, ret, "return_approved") == {}  # only requested
    await decide(client, auth, ret, "refuse", role="finance", reason="The seal is broken")
    rows = await _told(sessionmaker, settings, ret, "return_refused")
    email = rows["email"]
    assert (email.language, email.message_subject) == ("en", f"Return {ret['number']} refused")
    assert email.message_body.startswith("Dear Acme Trading,")
    assert f"your return {ret['number']} (order {order['number']}) was refused." in (
        email.message_body
    )
    assert "Reason: The seal is broken" in email.message_body
    assert rows["sms"].message_body.endswith("was refused: The seal is broken")


async def test_a_received_return_tells_what_arrived(
    client, auth, data, sessionmaker, settings
) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3", "S-2": "2"})
    ret = await request_return(client, auth, order, {"S-1": "2", "S-2": "1"})
    scrapped = {"restock": "0", "scrap": "1", "scrap_reason": "cracked"}
    await receive(client, auth, ret, {"S-1": RESTOCK, "S-2": scrapped})
    email = (await _told(sessionmaker, settings, ret, "return_received"))["email"]
    assert email.message_subject == f"退货单 {ret['number']} 的商品已收到"
    body = email.message_body
    assert "- 螺丝刀 Screwdriver（S-1）× 1\n- 螺丝刀 Screwdriver（S-2）× 1\n" in body
    assert "我们将尽快为您处理" in body


async def test_a_refund_tells_the_amount_refunded_and_is_told_once(
    client, auth, data, sessionmaker, settings
) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3"})
    paid = await pay(client, auth, order["customer_id"], "30.00")
    assert paid.status_code == 201, paid.text
    ret = await request_return(client, auth, order, {"S-1": "2"})
    await receive(client, auth, ret, {"S-1": {"restock": "2"}})
    response = await refund(client, auth, ret, method="bank_transfer")
    assert response.status_code == 200, response.text
    rows = await _told(sessionmaker, settings, ret, "return_resolved")
    await _route(sessionmaker, settings)  # routed again: nothing twice
    assert rows["email"].message_subject == f"退货单 {ret['number']} 已处理完毕"
    assert "已处理完毕：已为您退款 20.00 CNY。" in rows["email"].message_body
    assert rows["sms"].message_body.endswith("已为您退款 20.00 CNY。")
    kinds = [(r.kind, r.channel) for r in await notifications_of(sessionmaker, ret["id"])]
    assert kinds == [  # return.refunded tells nothing: the refund's own notification does
        ("return_approved", "email"),
        ("return_approved", "sms"),
        ("return_received", "email"),
        ("return_received", "sms"),
        ("return_resolved", "email"),
        ("return_resolved", "sms"),
    ]
    refunded = await notifications_of(sessionmaker, response.json()["refund_id"])
    assert {r.kind for r in refunded} == {"refund_paid"}


async def test_a_replacement_tells_the_new_orders_number_in_english(
    client, auth, data, sessionmaker, settings
) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3"})
    await _customer(sessionmaker, order, language="en")
    ret = await request_return(client, auth, order, {"S-1": "2"}, resolution="replacement")
    ret = await receive(client, auth, ret, {"S-1": RESTOCK})
    response = await client.post(
        f"{RETURNS}/{ret['id']}/replacement", headers=await auth.as_role("sales")
    )
    assert response.status_code == 201, response.text
    new = response.json()["order"]["number"]
    email = (await _told(sessionmaker, settings, ret, "return_resolved"))["email"]
    assert email.message_subject == f"Return {ret['number']} resolved"
    assert f"we will send replacement goods with order {new}." in email.message_body


async def test_a_returns_emails_arrive_at_a_real_smtp_server(
    client, auth, data, sessionmaker, settings
) -> None:
    inbox = Inbox()
    async with smtp_server(inbox) as port:
        settings = smtp_settings(settings, port)
        order, _ = await delivered(client, auth, {"S-1": "3"})
        await _deliver(sessionmaker, settings)
        before = len(inbox.messages)
        ret = await request_return(client, auth, order, {"S-1": "1"}, method="carrier_label")
        await receive(client, auth, ret, {"S-1": RESTOCK})
        await _deliver(sessionmaker, settings)
    messages = [message_from_bytes(raw, policy=default_policy) for _, raw in inbox.messages]
    told = messages[before:]
    assert [m["Subject"] for m in told] == [
        f"退货单 {ret['number']} 已批准",
        f"退货单 {ret['number']} 的商品已收到",
    ]
    assert {m["To"] for m in told} == {"wang@acme.example"}
    assert "快递寄回。我们将为您准备退货面单" in told[0].get_content()
    rows = await notifications_of(sessionmaker, ret["id"])
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}


async def test_an_opted_out_customer_is_told_nothing_of_its_returns(
    client, auth, data, sessionmaker, settings
) -> None:
    await _threshold(client, auth, "15")
    order, _ = await delivered(client, auth, {"S-1": "3"})
    await _customer(sessionmaker, order, email_opt_out=True, sms_opt_out=True)
    refused = await request_return(client, auth, order, {"S-1": "2"})
    await decide(client, auth, refused, "refuse", role="finance", reason="Used goods")
    ret = await request_return(client, auth, order, {"S-1": "3"})
    await decide(client, auth, ret)
    await receive(client, auth, ret, {"S-1": {"restock": "3"}})
    assert (await refund(client, auth, ret, keep_as_credit=True)).status_code == 200
    await _route(sessionmaker, settings)
    rows = [
        *await notifications_of(sessionmaker, refused["id"]),
        *await notifications_of(sessionmaker, ret["id"]),
    ]
    assert sorted({r.kind for r in rows}) == [
        "return_approved",
        "return_received",
        "return_refused",
        "return_resolved",
    ]
    assert {(r.status, r.skip_reason, r.recipient) for r in rows} == {
        ("skipped", "opted_out", None)
    }
