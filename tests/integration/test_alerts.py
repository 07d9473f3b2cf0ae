"""Exception alerts on both engines: one unresolved alert per rule and subject however often it
is raised, resolved automatically when its condition clears (then a new one may open), the
events every consumer reads (exact payload), and staff acknowledging and resolving them through
HTTP, audited, with the permissions of their roles."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.bootstrap import build_bus, unit_of_work
from app.domain.alerts import AlertSpec, Rule
from app.domain.billing.events import InvoiceOverdue
from app.domain.events import WebhookEndpointDisabled
from app.repositories.alerts import Alert
from app.repositories.events import AuditEvent, OutboxEvent
from app.services.alerts.raising import clear_alerts, open_alert
from tests.support import assert_problem

ALERTS = "/api/v1/alerts"
PAYLOAD_KEYS = {
    "id",
    "rule",
    "severity",
    "role",
    "state",
    "subject_type",
    "subject_id",
    "message",
    "link",
    "opened_at",
}


@pytest.fixture
def uow(sessionmaker, settings):
    bus = build_bus(settings)
    return lambda: unit_of_work(sessionmaker, bus)


def overdue_spec(subject: str) -> AlertSpec:
    details = {"number": "INV-1", "balance": "10.00", "currency": "CNY", "due_date": "2026-11-01"}
    return AlertSpec(Rule.INVOICE_OVERDUE, subject, details, actor="test")


async def raise_(uow, spec: AlertSpec) -> bool:
    async with uow() as u:
        opened = await open_alert(u, spec)
        await u.commit()
    return opened


async def clear(uow, rule: Rule, subject_type: str, subject: str) -> int:
    async with uow() as u:
        cleared = await clear_alerts(u, rule, subject_type, subject, "paid")
        await u.commit()
    return cleared


async def alerts_of(sessionmaker, subject: str) -> list[Alert]:
    async with sessionmaker() as session:
        stmt = select(Alert).where(Alert.subject_id == subject).order_by(Alert.opened_at)
        return list((await session.scalars(stmt)).all())


async def outbox(sessionmaker, event_type: str) -> list[dict]:
    async with sessionmaker() as session:
        stmt = select(OutboxEvent).where(OutboxEvent.event_type == event_type)
        return [o.payload for o in (await session.scalars(stmt.order_by(OutboxEvent.id))).all()]


async def audit(sessionmaker, alert_id: str) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        stmt = select(AuditEvent).where(
            AuditEvent.entity_type == "alert", AuditEvent.entity_id == alert_id
        )
        rows = (await session.scalars(stmt.order_by(AuditEvent.at))).all()
        return [(r.action, r.actor) for r in rows]


async def test_raising_twice_keeps_one_open_alert_with_the_contract_payload(
    uow, sessionmaker
) -> None:
    subject = str(uuid.uuid4())
    assert await raise_(uow, overdue_spec(subject)) is True
    assert await raise_(uow, overdue_spec(subject)) is False
    [alert] = await alerts_of(sessionmaker, subject)
    assert (alert.state, alert.severity, alert.role) == ("open", "warning", "finance")
    assert alert.link == f"/api/v1/invoices/{subject}"
    assert alert.message == "Invoice INV-1 is overdue: 10.00 CNY was due on 2026-11-01."
    [raised] = await outbox(sessionmaker, "alert.raised")
    assert set(raised) == PAYLOAD_KEYS
    assert raised["id"] == str(alert.id) and raised["subject_id"] == subject
    assert (raised["rule"], raised["state"], raised["role"]) == (
        "invoice_overdue",
        "open",
        "finance",
    )
    assert await audit(sessionmaker, str(alert.id)) == [("raised", "test")]


async def test_clearing_resolves_automatically_and_a_new_alert_may_open_later(
    uow, sessionmaker
) -> None:
    subject = str(uuid.uuid4())
    assert await clear(uow, Rule.INVOICE_OVERDUE, "invoice", subject) == 0
    await raise_(uow, overdue_spec(subject))
    assert await clear(uow, Rule.INVOICE_OVERDUE, "invoice", subject) == 1
    assert await clear(uow, Rule.INVOICE_OVERDUE, "invoice", subject) == 0
    [alert] = await alerts_of(sessionmaker, subject)
    assert (alert.state, alert.resolution, alert.resolution_reason) == ("resolved", "auto", "paid")
    assert alert.resolved_by == "system" and alert.resolved_at is not None
    [resolved] = await outbox(sessionmaker, "alert.resolved")
    assert set(resolved) == PAYLOAD_KEYS and resolved["state"] == "resolved"
    # the condition returns: a new alert opens beside the resolved one
    assert await raise_(uow, overdue_spec(subject)) is True
    first, second = await alerts_of(sessionmaker, subject)
    assert (first.state, second.state) == ("resolved", "open") and first.id != second.id


async def test_an_overdue_invoice_event_and_a_disabled_endpoint_raise_alerts(
    uow, sessionmaker
) -> None:
    invoice, endpoint = str(uuid.uuid4()), str(uuid.uuid4())
    after = {"number": "INV-9", "balance": "5.00", "currency": "CNY", "due_date": "2026-11-02"}
    for _ in range(2):  # told twice: still one alert each
        async with uow() as u:
            u.record(InvoiceOverdue(actor="worker", entity_id=invoice, after=after))
            u.record(
                WebhookEndpointDisabled(
                    actor="worker", entity_id=endpoint, url="https://x.example/h", reason="410 Gone"
                )
            )
            await u.commit()
    [overdue] = await alerts_of(sessionmaker, invoice)
    assert (overdue.rule, overdue.role) == ("invoice_overdue", "finance")
    assert "INV-9" in overdue.message
    [disabled] = await alerts_of(sessionmaker, endpoint)
    assert (disabled.rule, disabled.role, disabled.severity) == (
        "webhook_endpoint_disabled",
        "admin",
        "critical",
    )
    assert disabled.message == "The webhook endpoint https://x.example/h was disabled: 410 Gone"
    assert disabled.link == f"/api/v1/webhook-endpoints/{endpoint}"


async def test_acknowledge_and_resolve_through_http_are_audited(
    client, auth, uow, sessionmaker
) -> None:
    subject = str(uuid.uuid4())
    await raise_(uow, overdue_spec(subject))
    [alert] = await alerts_of(sessionmaker, subject)
    finance = await auth.as_role("finance")
    path = f"{ALERTS}/{alert.id}"

    response = await client.post(f"{path}/acknowledge", headers=finance)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "acknowledged" and body["acknowledged_by"].startswith("user:")
    assert_problem(
        await client.post(f"{path}/acknowledge", headers=finance), 409, code="invalid_state"
    )
    assert_problem(
        await client.post(f"{path}/resolve", json={"reason": ""}, headers=finance),
        422,
        field="reason",
    )
    response = await client.post(
        f"{path}/resolve", json={"reason": "customer paid"}, headers=finance
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["resolution"], body["resolution_reason"]) == (
        "resolved",
        "manual",
        "customer paid",
    )
    assert_problem(
        await client.post(f"{path}/resolve", json={"reason": "again"}, headers=finance),
        409,
        code="already_resolved",
    )
    actions = [a for a, _ in await audit(sessionmaker, str(alert.id))]
    assert actions == ["raised", "acknowledged", "resolved"]
    events = [p["state"] for p in await outbox(sessionmaker, "alert.acknowledged")]
    assert events == ["acknowledged"]
    [resolved] = await outbox(sessionmaker, "alert.resolved")
    assert set(resolved) == PAYLOAD_KEYS
    assert_problem(await client.post(f"{ALERTS}/{uuid.uuid4()}/acknowledge", headers=finance), 404)


async def test_viewers_read_but_do_not_act_and_keys_cannot_act(
    client, auth, uow, sessionmaker
) -> None:
    subject = str(uuid.uuid4())
    await raise_(uow, overdue_spec(subject))
    [alert] = await alerts_of(sessionmaker, subject)
    viewer = await auth.as_role("viewer")
    response = await client.get(f"{ALERTS}/{alert.id}", headers=viewer)
    assert response.status_code == 200 and response.json()["rule"] == "invoice_overdue"
    assert_problem(await client.post(f"{ALERTS}/{alert.id}/acknowledge", headers=viewer), 403)
    assert_problem(
        await client.post(f"{ALERTS}/{alert.id}/resolve", json={"reason": "x"}, headers=viewer),
        403,
    )
    key = await auth.with_scopes("alerts:read")
    assert (await client.get(ALERTS, headers=key)).status_code == 200
    assert_problem(await client.get(ALERTS), 401)
    [again] = await alerts_of(sessionmaker, subject)
    assert again.state == "open"


async def test_the_list_filters_and_pages_newest_first(client, auth, uow, sessionmaker) -> None:
    subjects = [str(uuid.uuid4()) for _ in range(3)]
    for s in subjects:
        await raise_(uow, overdue_spec(s))
    await raise_(
        uow,
        AlertSpec(Rule.WEBHOOK_ENDPOINT_DISABLED, subjects[0], {"url": "u", "reason": "r"}),
    )
    viewer = await auth.as_role("viewer")
    response = await client.get(
        ALERTS, params={"rule": "invoice_overdue", "limit": 2}, headers=viewer
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert [a["subject_id"] for a in page["items"]] == subjects[:0:-1]
    response = await client.get(
        ALERTS,
        params={"rule": "invoice_overdue", "limit": 2, "cursor": page["next_cursor"]},
        headers=viewer,
    )
    assert [a["subject_id"] for a in response.json()["items"]] == subjects[:1]
    for params, expected in [
        ({"role": "admin"}, [subjects[0]]),
        ({"severity": "critical"}, [subjects[0]]),
        ({"subject_type": "invoice", "subject_id": subjects[1]}, [subjects[1]]),
        ({"state": "resolved"}, []),
        ({"state": "open", "role": "finance"}, subjects[::-1]),
        ({"opened_since": "2999-01-01T00:00:00Z"}, []),
    ]:
        response = await client.get(ALERTS, params=params, headers=viewer)
        assert response.status_code == 200, response.text
        assert [a["subject_id"] for a in response.json()["items"]] == expected, params
    assert_problem(await client.get(ALERTS, params={"state": "closed"}, headers=viewer), 422)
    assert_problem(await client.get(ALERTS, params={"rule": "nope"}, headers=viewer), 422)
