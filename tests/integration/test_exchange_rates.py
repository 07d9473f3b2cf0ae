"""Exchange rates through the HTTP API (admin writes, read roles read), and carrier quotes in
several currencies ranked in the reporting currency (CNY by default): converted with the rate
in force today, listed unranked without one, and a label bought by preference buys the best
of the quote's own ranking."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support import assert_problem

RATES = "/api/v1/exchange-rates"


def today() -> date:
    return datetime.now(UTC).date()


async def exchange_rate(
    client, auth, base: str, quote: str, rate: str, valid_from: date | None = None
) -> dict:
    response = await client.post(
        RATES,
        headers=await auth.as_role("admin"),
        json={
            "base_currency": base,
            "quote_currency": quote,
            "rate": rate,
            "valid_from": (valid_from or today()).isoformat(),
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_an_admin_records_rates_and_read_roles_list_them(client, auth) -> None:
    created = await exchange_rate(client, auth, "USD", "CNY", "7.1234", date(2026, 1, 1))
    assert created["rate"] == "7.1234" and created["valid_from"] == "2026-01-01"
    await exchange_rate(client, auth, "USD", "CNY", "7.2", date(2026, 6, 1))
    await exchange_rate(client, auth, "EUR", "CNY", "7.8", date(2026, 1, 1))
    viewer = await auth.as_role("viewer")
    response = await client.get(RATES, headers=viewer, params={"base_currency": "USD"})
    assert response.status_code == 200, response.text
    assert [(r["rate"], r["valid_from"]) for r in response.json()["items"]] == [
        ("7.1234", "2026-01-01"),
        ("7.2", "2026-06-01"),
    ]
    one = await client.get(f"{RATES}/{created['id']}", headers=viewer)
    assert one.status_code == 200 and one.json() == created
    missing = await client.get(f"{RATES}/00000000-0000-0000-0000-000000000000", headers=viewer)
    assert_problem(missing, 404)


async def test_only_admins_record_rates(client, auth) -> None:
    response = await client.post(
        RATES,
        headers=await auth.as_role("warehouse"),
        json={
            "base_currency": "USD",
            "quote_currency": "CNY",
            "rate": "7",
            "valid_from": "2026-01-01",
        },
    )
    assert_problem(response, 403)
    listed = await client.get(RATES, headers=await auth.as_role("admin"))
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"base_currency": "USD", "quote_currency": "USD", "rate": "1"}, "quote_currency"),
        ({"base_currency": "XYZ", "quote_currency": "CNY", "rate": "1"}, "base_currency"),
        ({"base_currency": "USD", "quote_currency": "CNY", "rate": "0"}, "rate"),
        ({"base_currency": "USD", "quote_currency": "CNY", "rate": "-7"}, "rate"),
        ({"base_currency": "USD", "quote_currency": "CNY", "rate": "abc"}, "rate"),
    ],
)
async def test_bad_rates_are_refused_naming_the_field(client, auth, body, field) -> None:
    response = await client.post(
        RATES, headers=await auth.as_role("admin"), json={**body, "valid_from": "2026-01-01"}
    )
    assert_problem(response, 422, field=field)
    listed = await client.get(RATES, headers=await auth.as_role("admin"))
    assert listed.json()["items"] == []


async def test_a_second_rate_for_the_same_pair_and_day_is_a_conflict(client, auth) -> None:
    await exchange_rate(client, auth, "USD", "CNY", "7.1", date(2026, 1, 1))
    response = await client.post(
        RATES,
        headers=await auth.as_role("admin"),
        json={
            "base_currency": "USD",
            "quote_currency": "CNY",
            "rate": "7.3",
            "valid_from": "2026-01-01",
        },
    )
    assert_problem(response, 409, code="duplicate")
