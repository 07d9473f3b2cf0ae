"""Bad input to the receivables report: problem+json naming the parameter and the rule, on both
engines; a reporting currency without rates; a caller without invoices:read."""

from __future__ import annotations

import pytest

from tests.integration.receivables_data import build_receivables
from tests.integration.report_data import project
from tests.support import assert_problem

URL = "/api/v1/reports/receivables"
RANGE = {"from": "2026-03-01", "to": "2026-05-31"}


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"from": "2026-03-10", "to": "2026-03-09"}, "to", "not_before_from"),
        ({"from": "2024-01-01", "to": "2026-01-02"}, "to", "max_range_days"),
        ({**RANGE, "group_by": "quarter"}, "group_by", "one_of"),
        ({**RANGE, "dimension": "product"}, "dimension", "one_of"),
        ({**RANGE, "metric": "net"}, "metric", "one_of"),
    ],
)
async def test_bad_parameters_are_named(client, auth, params, field, rule) -> None:
    r = await client.get(URL, headers=await auth.as_role("finance"), params=params)
    body = assert_problem(r, 422, field=field)
    assert rule in {e["rule"] for e in body["errors"] if e["field"].endswith(field)}, body


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"to": "2026-03-01"}, "from"),
        ({**RANGE, "top": "0"}, "top"),
        ({**RANGE, "currency": "usd"}, "currency"),
        ({**RANGE, "format": "pdf"}, "format"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
    ],
)
async def test_malformed_parameters(client, auth, params, field) -> None:
    r = await client.get(URL, headers=await auth.as_role("finance"), params=params)
    assert_problem(r, 422, field=field)


async def test_a_currency_without_rates(client, auth, sessionmaker, settings) -> None:
    """The invoices are in CNY and no rate links CNY and EUR: 422 on `currency`, and nothing
    is half answered."""
    await build_receivables(client, auth, sessionmaker, "AX")
    await project(sessionmaker, settings)
    r = await client.get(
        URL, headers=await auth.as_role("finance"), params={**RANGE, "currency": "EUR"}
    )
    body = assert_problem(r, 422, code="rule_violation", field="currency")
    assert body["errors"][0]["rule"] == "rate_missing"
