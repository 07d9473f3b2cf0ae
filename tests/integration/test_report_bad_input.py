"""Bad input to the reports: problem+json naming the parameter and the rule, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.report_data import Flow, master_data, project
from tests.support import assert_problem

SALES = "/api/v1/reports/sales"
FULFILMENT = "/api/v1/reports/fulfilment"
RANGE = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.mark.parametrize(
    ("path", "params", "field", "rule"),
    [
        (SALES, {"from": "2026-03-10", "to": "2026-03-09"}, "to", "not_before_from"),
        (FULFILMENT, {"from": "2026-03-10", "to": "2026-03-01"}, "to", "not_before_from"),
        (SALES, {"from": "2024-01-01", "to": "2026-01-02"}, "to", "max_range_days"),
        (SALES, {**RANGE, "group_by": "quarter"}, "group_by", "one_of"),
        (FULFILMENT, {**RANGE, "group_by": "hour"}, "group_by", "one_of"),
        (SALES, {**RANGE, "dimension": "colour"}, "dimension", "one_of"),
        (FULFILMENT, {**RANGE, "dimension": "customer"}, "dimension", "one_of"),
        (SALES, {**RANGE, "metric": "margin"}, "metric", "one_of"),
        (FULFILMENT, {**RANGE, "metric": "net"}, "metric", "one_of"),
    ],
)
async def test_bad_parameters_are_named(client, auth, path, params, field, rule) -> None:
    r = await client.get(path, headers=await auth.as_role("viewer"), params=params)
    body = assert_problem(r, 422, field=field)
    assert rule in {e["rule"] for e in body["errors"] if e["field"].endswith(field)}, body


async def test_a_currency_without_rates(client, auth, sessionmaker, settings) -> None:
    """The orders are in CNY and no rate links CNY and EUR: 422 on `currency`. With no orders
    in the range there is nothing to convert, and EUR answers, empty."""
    await master_data(sessionmaker, "RX")
    flow = Flow(client, auth, "RX")
    await flow.receive("P1", "5")
    await flow.order("A", {"P1": "1"})
    await project(sessionmaker, settings)
    today = datetime.now(UTC).date().isoformat()
    viewer = await auth.as_role("viewer")
    r = await client.get(
        SALES, headers=viewer, params={"from": today, "to": today, "currency": "EUR"}
    )
    body = assert_problem(r, 422, code="rule_violation", field="currency")
    assert body["errors"][0]["rule"] == "rate_missing"
    r = await client.get(SALES, headers=viewer, params={**RANGE, "currency": "EUR"})
    assert r.status_code == 200, r.text
    assert r.json()["series"] == [] and r.json()["total"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"to": "2026-03-01"}, "from"),
        ({**RANGE, "top": "0"}, "top"),
        ({**RANGE, "currency": "eur"}, "currency"),
        ({**RANGE, "format": "pdf"}, "format"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
    ],
)
async def test_malformed_parameters(client, auth, params, field) -> None:
    r = await client.get(SALES, headers=await auth.as_role("viewer"), params=params)
    assert_problem(r, 422, field=field)
