"""Routed events become notifications, rendered from the database in the customer's language,
at most once per subject and kind; opted-out channels and missing addresses are skipped and
logged; alerts go to the staff of their role; overdue reminders at each dunning step."""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from decimal import Decimal

from app.repositories.invoices import Invoice
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.worker.notify.dunning import remind_overdue
from app.worker.notify.routing import route_notifications
from app.worker.routing import route_once
from app.worker.schedule import ROUTES
from tests.integration.notifications.data import (
    WANG,
    approved_order,
    by_channel,
    customer,
    event,
    notifications_of,
    route,
    shipped_order,
)


async def test_order_confirmed_in_chinese_with_number_goods_and_promised_date(
    sessionmaker, settings
) -> None:
    who = await customer(sessionmaker)
    order = await approved_order(sessionmaker, who)
    approved = event("order.approved", "order", order.id)
    await route(sessionmaker, settings, approved)
    rows = by_channel(await notifications_of(sessionmaker, order.id))
    email = rows["email"]
    assert (email.kind, email.status, email.language) == ("order_confirmed", "pending", "zh-CN")
    assert email.recipient == "wang@example.cn"
    assert email.message_subject == f"订单确认：{order.order.number}"
    assert "不锈钢螺栓 M8" in email.message_body and "× 3" in email.message_body
    assert "2026-12-24" in email.message_body
    assert email.outbox_event_id == approved.id and email.customer_id == who.id
    assert email.order_id == order.id
    assert rows["sms"].recipient == "+8613800138000"
    assert order.order.number in rows["sms"].message_body


async def test_english_customers_are_told_in_english(sessionmaker, settings) -> None:
    who = await customer(sessionmaker, language="en")
    order = await approved_order(sessionmaker, who)
    await route(sessionmaker, settings, event("order.approved", "order", order.id))
    email = by_channel(await notifications_of(sessionmaker, order.id))["email"]
    assert email.language == "en"
    assert email.message_subject == f"Order {order.order.number} confirmed"
    assert email.message_body.startswith("Dear 上海华东贸易有限公司,")


async def test_an_event_routed_twice_makes_each_notification_once(sessionmaker, settings) -> None:
    who = await customer(sessionmaker)
    shipped = await shipped_order(sessionmaker, who)
    payload = {"shipment_id": str(shipped.shipment.id)}
    first = event("order.shipped", "order", shipped.id, **payload)
    again = event("order.shipped", "order", shipped.id, **payload)  # redelivered: a new row id
    await route(sessionmaker, settings, first)
    await route(sessionmaker, settings, again, first)
    rows = await notifications_of(sessionmaker, shipped.shipment.id)
    assert sorted((r.kind, r.channel) for r in rows) == [("shipped", "email"), ("shipped", "sms")]
    assert {r.outbox_event_id for r in rows} == {first.id}


async def test_shipped_tells_carrier_tracking_number_arrival_and_the_public_link(
    sessionmaker, settings
) -> None:
    settings = settings.model_copy(update={"public_base_url": "https://lading.example.cn/"})
    who = await customer(sessionmaker)
    shipped = await shipped_order(sessionmaker, who)
    await route(
        sessionmaker,
        settings,
        event("order.shipped", "order", shipped.id, shipment_id=str(shipped.shipment.id)),
    )
    email = by_channel(await notifications_of(sessionmaker, shipped.shipment.id))["email"]
    link = f"https://lading.example.cn/api/v1/track/{shipped.shipment.tracking_token}"
    assert link in email.message_body
    assert "运单号：SF1234567890" in email.message_body
    assert "预计送达：2026-12-05" in email.message_body
    assert email.order_id == shipped.id


async def test_tracking_statuses_tell_out_for_delivery_and_exceptions_once(
    sessionmaker, settings
) -> None:
    who = await customer(sessionmaker)
    shipped = await shipped_order(sessionmaker, who)
    sid = shipped.shipment.id
    await route(
        sessionmaker,
        settings,
        event("shipment.tracking_updated", "shipment", sid, status="in_transit"),
        event("shipment.tracking_updated", "shipment", sid, status="out_for_delivery"),
        event("shipment.tracking_updated", "shipment", sid, status="exception"),
        event("shipment.tracking_updated", "shipment", sid, status="delivery_failed"),
    )
    rows = await notifications_of(sessionmaker, sid)
    assert sorted({r.kind for r in rows}) == ["delivery_exception", "out_for_delivery"]
    assert len(rows) == 4  # two kinds, two channels, each once


async def test_opted_out_and_missing_addresses_are_skipped_and_logged(
    sessionmaker, settings, caplog
) -> None:
    opted = await customer(sessionmaker, sms_opt_out=True)
    no_phone = await customer(sessionmaker, contacts=[{**WANG, "phone": None}], email_opt_out=True)
    first = await approved_order(sessionmaker, opted)
    second = await approved_order(sessionmaker, no_phone)
    with caplog.at_level(logging.INFO, logger="app.services.notifications.making"):
        await route(
            sessionmaker,
            settings,
            event("order.approved", "order", first.id),
            event("order.approved", "order", second.id),
        )
    one = by_channel(await notifications_of(sessionmaker, first.id))
    assert (one["email"].status, one["sms"].status) == ("pending", "skipped")
    assert (one["sms"].skip_reason, one["sms"].recipient, one["sms"].next_attempt_at) == (
        "opted_out",
        None,
        None,
    )
    two = by_channel(await notifications_of(sessionmaker, second.id))
    assert (two["email"].skip_reason, two["sms"].skip_reason) == ("opted_out", "no_address")
    logged = [r for r in caplog.records if r.getMessage() == "notification.not_sent"]
    assert {(r.subject_id, r.channel, r.reason) for r in logged} >= {  # type: ignore[attr-defined]
        (str(first.id), "sms", "opted_out"),
        (str(second.id), "email", "opted_out"),
        (str(second.id), "sms", "no_address"),
    }


async def test_alert_raised_goes_by_email_to_the_staff_of_its_role(sessionmaker, settings) -> None:
    settings = settings.model_copy(
        update={
            "staff_emails": {"warehouse": ["ops@lading.cn", "dc@lading.cn"]},
            "staff_language": "en",
        }
    )
    alert_id = str(uuid.uuid4())
    payload = {
        "id": alert_id,
        "rule": "tracking_silent",
        "severity": "warning",
        "role": "warehouse",
        "state": "open",
        "subject_type": "shipment",
        "subject_id": "s-1",
        "message": "Shipment SH-1 silent for 48 hours",
        "link": "/api/v1/shipments/s-1",
        "opened_at": "2026-12-02T08:00:00+00:00",
    }
    unstaffed = {**payload, "id": str(uuid.uuid4()), "role": "finance"}
    await route(
        sessionmaker,
        settings,
        event("alert.raised", "alert", alert_id, **payload),
        event("alert.raised", "alert", unstaffed["id"], **unstaffed),
    )
    (email,) = await notifications_of(sessionmaker, alert_id)
    assert (email.channel, email.status, email.customer_id) == ("email", "pending", None)
    assert email.recipient == "ops@lading.cn, dc@lading.cn"
    assert email.message_subject == "[warning] Alert: Shipment SH-1 silent for 48 hours"
    assert "/api/v1/shipments/s-1" in email.message_body
    (nobody,) = await notifications_of(sessionmaker, unstaffed["id"])
    assert (nobody.status, nobody.skip_reason) == ("skipped", "no_address")


async def test_the_route_is_registered_and_runs_in_routing(sessionmaker, settings) -> None:
    assert route_notifications in ROUTES
    who = await customer(sessionmaker)
    order = await approved_order(sessionmaker, who)
    async with sessionmaker() as session:
        session.add(event("order.approved", "order", order.id))
        await session.commit()
    await route_once(sessionmaker, settings, ROUTES)
    rows = await notifications_of(sessionmaker, order.id)
    assert [r.channel for r in rows] == ["email", "sms"]


async def _invoice(sessionmaker, who, due: date, **kw) -> Invoice:
    async with SqlAlchemyUnitOfWork(sessionmaker) as uow:
        invoice = Invoice(
            id=uuid.uuid4(),
            number=f"INV-T-{uuid.uuid4().hex[:8]}",
            customer_id=who.id,
            currency="CNY",
            status="issued",
            source="manual",
            issue_date=due - timedelta(days=30),
            due_date=due,
            net_total=Decimal("1000.00"),
            tax_total=Decimal("130.00"),
            total=Decimal("1130.00"),
            created_by="test",
            version=1,
            **kw,
        )
        uow.session.add(invoice)
        await uow.commit()
    return invoice


async def test_dunning_makes_one_reminder_per_invoice_and_step(sessionmaker, settings) -> None:
    settings = settings.model_copy(update={"dunning_days": [1, 7, 14]})
    who = await customer(sessionmaker)
    today = date(2031, 3, 20)
    owed = await _invoice(sessionmaker, who, today - timedelta(days=1))
    paid = await _invoice(
        sessionmaker, who, today - timedelta(days=1), amount_paid=Decimal("1130.00")
    )
    late = await _invoice(sessionmaker, who, today - timedelta(days=20))

    await remind_overdue(sessionmaker, settings, today=today)
    await remind_overdue(sessionmaker, settings, today=today)  # again: nothing new
    rows = await notifications_of(sessionmaker, owed.id)
    assert [(r.kind, r.step, r.channel) for r in rows] == [
        ("invoice_overdue", 1, "email"),
        ("invoice_overdue", 1, "sms"),
    ]
    assert "已逾期 1 天" in rows[0].message_subject
    assert await notifications_of(sessionmaker, paid.id) == []
    # Found 20 days late: the 14-day step only, not three reminders at once.
    assert {r.step for r in await notifications_of(sessionmaker, late.id)} == {14}

    await remind_overdue(sessionmaker, settings, today=today + timedelta(days=6))
    steps = [(r.step, r.channel) for r in await notifications_of(sessionmaker, owed.id)]
    assert steps == [(1, "email"), (1, "sms"), (7, "email"), (7, "sms")]


async def test_events_that_do_not_name_a_known_subject_are_passed_over(
    sessionmaker, settings
) -> None:
    """Routing goes on (the other routes still take the event) and nothing is made."""
    gone = uuid.uuid4()
    await route(
        sessionmaker,
        settings,
        event("order.approved", "order", "not-a-uuid"),
        event("order.approved", "order", gone),
        event("order.shipped", "order", gone),  # no shipment_id in its payload
        event("invoice.issued", "invoice", gone),
        event("refund.paid", "refund", gone),
    )
    assert await notifications_of(sessionmaker, gone) == []
    assert await notifications_of(sessionmaker, "not-a-uuid") == []


async def test_a_template_that_fails_on_real_data_fails_its_row_not_the_routing(
    sessionmaker, settings
) -> None:
    """Saving refuses such a template; one stored without the API (here) still cannot stop
    routing: its notification is failed with the reason, the other channel goes out."""
    from app.repositories.notifications import NotificationTemplate

    async with sessionmaker() as session:
        session.add(
            NotificationTemplate(
                kind="order_confirmed",
                channel="email",
                language="zh-CN",
                subject="{{ order.number }}",
                body="{{ order.lines[5].name }}",
                updated_by="test",
            )
        )
        await session.commit()
    who = await customer(sessionmaker)
    order = await approved_order(sessionmaker, who)
    await route(sessionmaker, settings, event("order.approved", "order", order.id))
    rows = by_channel(await notifications_of(sessionmaker, order.id))
    assert (rows["email"].status, rows["email"].next_attempt_at) == ("failed", None)
    assert rows["email"].provider_answer.startswith("not rendered: UndefinedError")
    assert rows["sms"].status == "pending"
