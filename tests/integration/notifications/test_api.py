"""The notifications API: the customer's language and opt-outs; templates (list, get, save
refused when it does not render or reaches past the sandbox, reset, preview for an order); the
log with its filters; and who may see and change what (403 otherwise)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.repositories.events import AuditEvent
from tests.integration.notifications.data import (
    approved_order,
    customer,
    event,
    route,
    shipped_order,
)
from tests.support import assert_problem

URL = "/api/v1/notifications"
TEMPLATE = f"{URL}/templates/order_confirmed/email/zh-CN"


async def test_customers_have_a_language_and_opt_outs(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = {"code": f"C-{uuid.uuid4().hex[:6]}", "name": "Acme", "currency": "CNY"}
    created = await client.post("/api/v1/customers", json=body, headers=headers)
    assert created.status_code == 201, created.text
    read = created.json()
    assert (read["language"], read["email_opt_out"], read["sms_opt_out"]) == ("zh-CN", False, False)
    patched = await client.patch(
        f"/api/v1/customers/{read['id']}",
        json={"language": "en", "sms_opt_out": True},
        headers={**headers, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["language"], patched.json()["sms_opt_out"]) == ("en", True)
    refused = await client.patch(
        f"/api/v1/customers/{read['id']}",
        json={"language": "fr"},
        headers={**headers, "If-Match": '"2"'},
    )
    assert_problem(refused, 422, field="language")


async def test_templates_are_listed_with_their_defaults(client, auth) -> None:
    headers = await auth.as_role("admin")
    listed = await client.get(f"{URL}/templates", headers=headers)
    assert listed.status_code == 200, listed.text
    keys = {(t["kind"], t["channel"], t["language"]) for t in listed.json()}
    assert ("order_confirmed", "email", "zh-CN") in keys and (
        "alert_raised",
        "sms",
        "en",
    ) not in keys
    one = await client.get(TEMPLATE, headers=headers)
    assert one.json()["customized"] is False
    assert "order" in one.json()["variables"] and "shipment" not in one.json()["variables"]
    missing = await client.get(f"{URL}/templates/alert_raised/sms/en", headers=headers)
    assert_problem(missing, 404)


async def test_a_saved_template_is_used_and_reset_to_the_default(
    client, auth, sessionmaker, settings
) -> None:
    headers = await auth.as_role("admin")
    saved = await client.put(
        TEMPLATE,
        json={
            "subject": "确认 {{ order.number }}",
            "body": "{{ customer.name }}：{{ order.total }}",
        },
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["customized"] is True and saved.json()["updated_by"]
    who = await customer(sessionmaker)
    order = await approved_order(sessionmaker, who)
    await route(sessionmaker, settings, event("order.approved", "order", order.id))
    log = await client.get(
        URL, params={"order_id": str(order.id), "channel": "email"}, headers=headers
    )
    (email,) = log.json()["items"]
    assert email["message_subject"] == f"确认 {order.order.number}"
    assert email["message_body"] == f"上海华东贸易有限公司：{order.order.total:.2f}"
    reset = await client.delete(TEMPLATE, headers=headers)
    assert reset.status_code == 200 and reset.json()["customized"] is False
    assert reset.json()["subject"] == "订单确认：{{ order.number }}"
    async with sessionmaker() as session:
        audited = (
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.entity_type == "notification_template")
            )
        ).all()
    assert sorted(audited) == ["reset", "updated"]


async def test_a_template_that_does_not_render_is_refused_when_saved(client, auth) -> None:
    headers = await auth.as_role("admin")
    unknown = await client.put(
        TEMPLATE,
        json={"subject": "{{ order.number }}", "body": "{{ shipment.tracking_number }}"},
        headers=headers,
    )
    body = assert_problem(unknown, 422, field="body")
    assert "shipment" in str(body["errors"])
    broken = await client.put(TEMPLATE, json={"subject": "{% if %}", "body": "ok"}, headers=headers)
    assert_problem(broken, 422, field="subject")
    no_subject = await client.put(TEMPLATE, json={"body": "ok"}, headers=headers)
    assert_problem(no_subject, 422, field="subject")
    sms_subject = await client.put(
        f"{URL}/templates/order_confirmed/sms/en",
        json={"subject": "x", "body": "ok"},
        headers=headers,
    )
    assert_problem(sms_subject, 422, field="subject")
    current = await client.get(TEMPLATE, headers=headers)
    assert current.json()["customized"] is False  # nothing was saved


async def test_the_sandbox_refuses_reaching_into_python(client, auth) -> None:
    headers = await auth.as_role("admin")
    for source in (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ order.lines.__class__.__base__ }}",
        "{{ order.number.format.__globals__ }}",
    ):
        response = await client.put(
            TEMPLATE, json={"subject": "x", "body": source}, headers=headers
        )
        body = assert_problem(response, 422, field="body")
        assert "SecurityError" in str(body["errors"]) or "unsafe" in str(body["errors"]), body


async def test_preview_renders_saved_or_proposed_templates_for_an_order(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("admin")
    who = await customer(sessionmaker)
    shipped = await shipped_order(sessionmaker, who)
    request = {
        "kind": "shipped",
        "channel": "email",
        "language": "en",
        "order_id": str(shipped.id),
    }
    saved = await client.post(f"{URL}/templates/preview", json=request, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["subject"] == f"Order {shipped.order.number} has shipped"
    assert shipped.shipment.tracking_token in saved.json()["body"]
    assert "SF1234567890" in saved.json()["body"]
    proposed = await client.post(
        f"{URL}/templates/preview",
        json={**request, "subject": "{{ shipment.number }}", "body": "{{ order.lines[0].name }}"},
        headers=headers,
    )
    assert proposed.json() == {"subject": shipped.shipment.number, "body": "不锈钢螺栓 M8"}
    bad = await client.post(
        f"{URL}/templates/preview", json={**request, "body": "{{ nope }}"}, headers=headers
    )
    assert_problem(bad, 422, field="body")
    unknown = await client.post(
        f"{URL}/templates/preview", json={**request, "order_id": str(uuid.uuid4())}, headers=headers
    )
    assert_problem(unknown, 422, field="order_id")


async def test_the_log_filters_and_shows_one(client, auth, sessionmaker, settings) -> None:
    who = await customer(sessionmaker, sms_opt_out=True)
    order = await approved_order(sessionmaker, who)
    await route(sessionmaker, settings, event("order.approved", "order", order.id))
    headers = await auth.as_role("sales")
    page = await client.get(URL, params={"customer_id": str(who.id)}, headers=headers)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert {(i["channel"], i["status"]) for i in items} == {
        ("email", "pending"),
        ("sms", "skipped"),
    }
    skipped = await client.get(
        URL,
        params={"customer_id": str(who.id), "status": "skipped", "kind": "order_confirmed"},
        headers=headers,
    )
    (row,) = skipped.json()["items"]
    assert row["skip_reason"] == "opted_out"
    one = await client.get(f"{URL}/{row['id']}", headers=headers)
    assert one.status_code == 200 and one.json() == row
    assert_problem(await client.get(f"{URL}/{uuid.uuid4()}", headers=headers), 404)
    assert_problem(await client.get(URL, params={"status": "lost"}, headers=headers), 422)


async def test_who_may_read_the_log_and_change_templates(client, auth) -> None:
    for role in ("warehouse", "viewer"):
        headers = await auth.as_role(role)
        assert_problem(await client.get(URL, headers=headers), 403)
    for role in ("sales", "finance", "sales_manager"):
        headers = await auth.as_role(role)
        assert (await client.get(URL, headers=headers)).status_code == 200
        assert_problem(await client.get(f"{URL}/templates", headers=headers), 403)
        refused = await client.put(TEMPLATE, json={"subject": "x", "body": "y"}, headers=headers)
        assert_problem(refused, 403)
        assert_problem(await client.delete(TEMPLATE, headers=headers), 403)
    key = await auth.with_scopes("orders:read")
    assert_problem(await client.get(URL, headers=key), 403)
