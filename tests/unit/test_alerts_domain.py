"""The alert rules without a database: every rule's subject, severity, role and message, the
states an alert may move through, the shipping cutoff, the thresholds' moments and the reorder
point rule."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.domain import alerts
from app.domain.alert_conditions import Thresholds, below_reorder_point, last_cutoff, overdue_case
from app.domain.alerts import (
    LINKS,
    RULES,
    SCANNED,
    AlertSpec,
    AlertState,
    Rule,
)
from app.domain.auth import Role
from app.domain.errors import InvalidState, RuleViolation
from app.domain.replenishment import ProductPosition

SHANGHAI = ZoneInfo("Asia/Shanghai")
THRESHOLDS = Thresholds(
    backorder_days=3,
    unallocated_hours=4,
    approval_hours=8,
    label_pending_minutes=30,
    tracking_silent_hours=48,
    ship_cutoff=time(17, 0),
    timezone="Asia/Shanghai",
)


def test_every_rule_has_a_spec_with_a_link_and_a_message_of_its_details() -> None:
    assert set(RULES) == set(Rule)
    for rule, spec in RULES.items():
        assert spec.subject_type in LINKS, rule
        text = alerts.message(rule, {})
        assert text and "{" not in text, rule  # missing details show as "?"
    assert RULES[Rule.WEBHOOK_ENDPOINT_DISABLED].role == Role.ADMIN
    assert RULES[Rule.INVOICE_OVERDUE].role == Role.FINANCE
    assert RULES[Rule.DELIVERY_EXCEPTION].severity == "critical"
    assert Rule.DELIVERY_EXCEPTION not in SCANNED and Rule.INVOICE_OVERDUE not in SCANNED
    assert RULES[Rule.CASE_OVERDUE].role == Role.SALES and Rule.CASE_OVERDUE in SCANNED


def test_a_spec_names_its_subject_link_and_role() -> None:
    subject = str(uuid.uuid4())
    spec = AlertSpec(Rule.TRACKING_SILENT, subject, {"number": "SH-1", "hours": 48})
    assert spec.link == f"/api/v1/shipments/{subject}"
    assert spec.message == "Shipment SH-1: no tracking news for more than 48 hours."
    assert spec.acting_role == Role.WAREHOUSE
    waiting = AlertSpec(Rule.APPROVAL_WAITING, subject, role=alerts.approver_role("finance"))
    assert waiting.acting_role == Role.FINANCE
    assert alerts.approver_role("board") is None and alerts.approver_role(None) is None
    long = AlertSpec(Rule.WEBHOOK_ENDPOINT_DISABLED, subject, {"url": "u", "reason": "x" * 900})
    assert len(long.message) == 500


def test_states_open_acknowledged_resolved() -> None:
    assert alerts.acknowledge(AlertState.OPEN) == AlertState.ACKNOWLEDGED
    for state in (AlertState.ACKNOWLEDGED, AlertState.RESOLVED):
        with pytest.raises(InvalidState):
            alerts.acknowledge(state)
    for state in (AlertState.OPEN, AlertState.ACKNOWLEDGED):
        assert alerts.resolve(state, "fixed") == AlertState.RESOLVED
    with pytest.raises(InvalidState) as resolved:
        alerts.resolve(AlertState.RESOLVED, "again")
    assert resolved.value.code == "already_resolved"
    with pytest.raises(RuleViolation):
        alerts.resolve(AlertState.OPEN, "   ")


@pytest.mark.parametrize(
    ("local_now", "expected"),
    [
        (datetime(2026, 12, 2, 17, 0), datetime(2026, 12, 2, 17, 0)),
        (datetime(2026, 12, 2, 18, 30), datetime(2026, 12, 2, 17, 0)),
        (datetime(2026, 12, 2, 9, 0), datetime(2026, 12, 1, 17, 0)),
        (datetime(2026, 12, 3, 0, 10), datetime(2026, 12, 2, 17, 0)),
    ],
)
def test_the_last_cutoff_is_the_latest_local_cutoff_not_after_now(
    local_now: datetime, expected: datetime
) -> None:
    now = local_now.replace(tzinfo=SHANGHAI).astimezone(UTC)
    got = last_cutoff(now, time(17, 0), SHANGHAI)
    assert got == expected.replace(tzinfo=SHANGHAI).astimezone(UTC)
    assert got.tzinfo == UTC


def test_bounds_are_the_thresholds_before_now() -> None:
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
    b = THRESHOLDS.bounds(now)
    assert b.now == now
    assert b.backorder_since == now - timedelta(days=3)
    assert b.unallocated_since == now - timedelta(hours=4)
    assert b.approval_since == now - timedelta(hours=8)
    assert b.label_since == now - timedelta(minutes=30)
    assert b.tracking_since == now - timedelta(hours=48)
    assert b.cutoff_passed_for == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 17:00 the day before
    assert b.cutoff_day == date(2026, 12, 1)
    assert b.today == date(2026, 12, 2)
    assert THRESHOLDS.details(Rule.SHIPMENT_MISSED_CUTOFF) == {"cutoff": "17:00"}
    assert THRESHOLDS.details(Rule.INVOICE_OVERDUE) == {}


def test_an_overdue_case_names_the_target_it_missed_and_when_it_was_due() -> None:
    opened = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    case = {
        "number": "SC-2026-000007",
        "kind": "complaint",
        "priority": "high",
        "assignee": "li",
        "state": "in_progress",
        "first_response_at": None,
        "response_due_at": opened + timedelta(hours=4),
        "resolution_due_at": opened + timedelta(hours=48),
    }
    details = overdue_case(case, opened + timedelta(hours=5))
    assert details == {
        "number": "SC-2026-000007",
        "kind": "complaint",
        "priority": "high",
        "assignee": "li",
        "target": "response",
        "due_at": "2026-12-02T12:00:00+00:00",
    }
    spec = AlertSpec(Rule.CASE_OVERDUE, str(uuid.uuid4()), details)
    assert spec.message == (
        "Case SC-2026-000007 (complaint, high) missed its response target"
        " due 2026-12-02T12:00:00+00:00."
    )
    assert spec.link == f"/api/v1/cases/{spec.subject_id}"
    late = overdue_case({**case, "first_response_at": opened}, opened + timedelta(days=3))
    assert (late["target"], late["due_at"]) == ("resolution", "2026-12-04T08:00:00+00:00")
    assert "target" not in overdue_case(case, opened)  # within its targets: nothing missed


def position(available: str, on_order: str, shortage: str, reorder_point: str) -> ProductPosition:
    return ProductPosition(
        product_id=uuid.uuid4(),
        sku="S",
        available=Decimal(available),
        shortage=Decimal(shortage),
        on_order=Decimal(on_order),
        reorder_point=Decimal(reorder_point),
        reorder_quantity=Decimal(0),
    )


def test_below_the_reorder_point_weighs_what_is_on_order_and_backordered() -> None:
    assert below_reorder_point(position("5", "0", "0", "20"))
    assert not below_reorder_point(position("5", "30", "0", "20"))  # already bought
    assert below_reorder_point(position("25", "0", "10", "20"))  # promised away
    assert not below_reorder_point(position("20", "0", "0", "20"))
    assert not below_reorder_point(position("0", "0", "5", "0"))  # no reorder point: a shortage
