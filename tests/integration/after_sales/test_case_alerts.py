"""The ``case_overdue`` alert on both engines: the worker's scan raises one alert for a
service case opened through HTTP that missed its response or resolution target, none for a
case within its targets, and resolves it when the case is answered or resolved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.worker.alerts import scan_alerts
from tests.integration.after_sales.support import data
from tests.integration.after_sales.test_cases import CASES, _customer_id
from tests.integration.test_alert_rules import alerts, raised

__all__ = ["data"]
RULE = "case_overdue"
NOW = datetime.now(UTC)
# normal priority: 8 hours to answer, 5 days to resolve
WITHIN = NOW + timedelta(hours=1)
UNANSWERED = NOW + timedelta(hours=9)
UNRESOLVED = NOW + timedelta(days=6)


async def _open(client, headers, sessionmaker, subject: str) -> dict:
    response = await client.post(
        CASES,
        headers=headers,
        json={
            "customer_id": await _customer_id(sessionmaker),
            "kind": "inquiry",
            "priority": "normal",
            "subject": subject,
            "description": "Where is my invoice?",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _answer(client, headers, case: dict) -> None:
    told = await client.post(f"{CASES}/{case['id']}/messages", headers=headers, json={"body": "Hi"})
    assert told.status_code == 201, told.text


async def _case_alerts(sessionmaker, case: dict) -> list:
    return [a for a in await alerts(sessionmaker, case["id"]) if a.rule == RULE]


async def test_a_case_not_answered_in_time_raises_one_alert_until_it_is_answered(
    client, auth, data, sessionmaker, settings
) -> None:
    sales = await auth.as_role("sales")
    late = await _open(client, sales, sessionmaker, "late")
    answered = await _open(client, sales, sessionmaker, "answered at once")
    await _answer(client, sales, answered)

    await scan_alerts(sessionmaker, settings, now=WITHIN)
    assert await _case_alerts(sessionmaker, late) == []
    await scan_alerts(sessionmaker, settings, now=UNANSWERED)
    await scan_alerts(sessionmaker, settings, now=UNANSWERED)
    assert await _case_alerts(sessionmaker, answered) == []  # within its resolution target
    [alert] = await _case_alerts(sessionmaker, late)
    assert await raised(sessionmaker, RULE) == 1
    assert (alert.state, alert.severity, alert.role, alert.subject_type, alert.link) == (
        "open",
        "warning",
        "sales",
        "case",
        f"/api/v1/cases/{late['id']}",
    )
    assert alert.details == {
        "number": late["number"],
        "kind": "inquiry",
        "priority": "normal",
        "assignee": None,
        "target": "response",
        "due_at": alert.details["due_at"],
    }
    due = datetime.fromisoformat(alert.details["due_at"])
    assert due == datetime.fromisoformat(late["response_due_at"])
    assert alert.message.startswith(
        f"Case {late['number']} (inquiry, normal) missed its response target due "
    )
    listed = await client.get("/api/v1/alerts", params={"rule": RULE}, headers=sales)
    assert [a["subject_id"] for a in listed.json()["items"]] == [late["id"]]

    # Answered: the response target no longer counts, the alert resolves by itself.
    await _answer(client, sales, late)
    await scan_alerts(sessionmaker, settings, now=UNANSWERED)
    [alert] = await _case_alerts(sessionmaker, late)
    assert (alert.state, alert.resolution, alert.resolved_by) == (
        "resolved",
        "auto",
        "system:worker",
    )
    assert alert.resolution_reason == "the condition no longer holds"
    await scan_alerts(sessionmaker, settings, now=UNANSWERED)
    assert await raised(sessionmaker, RULE) == 1


async def test_a_case_past_its_resolution_target_is_overdue_until_it_is_resolved(
    client, auth, data, sessionmaker, settings
) -> None:
    sales = await auth.as_role("sales")
    case = await _open(client, sales, sessionmaker, "slow")
    await _answer(client, sales, case)
    await scan_alerts(sessionmaker, settings, now=UNANSWERED)
    assert await _case_alerts(sessionmaker, case) == []  # answered in time

    await scan_alerts(sessionmaker, settings, now=UNRESOLVED)
    [alert] = await _case_alerts(sessionmaker, case)
    assert (alert.state, alert.details["target"]) == ("open", "resolution")
    due = datetime.fromisoformat(alert.details["due_at"])
    assert due == datetime.fromisoformat(case["resolution_due_at"])

    resolved = await client.post(
        f"{CASES}/{case['id']}/transition",
        headers=sales,
        json={"state": "resolved", "reason": "Invoice sent again"},
    )
    assert resolved.status_code == 200, resolved.text
    await scan_alerts(sessionmaker, settings, now=UNRESOLVED)
    [alert] = await _case_alerts(sessionmaker, case)
    assert (alert.state, alert.resolution) == ("resolved", "auto")
    assert await raised(sessionmaker, RULE) == 1
