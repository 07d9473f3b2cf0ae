"""Credit under real concurrency, on PostgreSQL with parallel connections."""

from __future__ import annotations

import asyncio
import uuid

from tests.factories import make_customer, make_product


async def _setup(pg_app, credit_limit: str):
    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:6]
    await make_product(
        sessionmaker, f"P-{tag}", list_price="100.00", floor_price=None, tax_rate="0"
    )
    await make_customer(sessionmaker, f"C-{tag}", credit_limit=credit_limit)
    return tag


async def test_two_orders_racing_for_the_last_credit_one_passes(pg_client, pg_auth, pg_app) -> None:
    for _ in range(3):  # a few rounds, to give the race every chance
        tag = await _setup(pg_app, credit_limit="1000")
        headers = await pg_auth.as_role("sales")
        body = {
            "channel": "phone",
            "customer": {"code": f"C-{tag}"},
            "lines": [{"sku": f"P-{tag}", "quantity": "6"}],
            "submit": True,
        }
        answers = await asyncio.gather(
            *[pg_client.post("/api/v1/orders", json=body, headers=headers) for _ in range(2)]
        )
        assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
        statuses = sorted(a.json()["status"] for a in answers)
        assert statuses == ["approved", "on_hold"]
        held = next(a.json() for a in answers if a.json()["status"] == "on_hold")
        assert held["holds"] == ["credit_limit_exceeded"]


async def test_prepaid_retail_orders_on_one_account_never_hit_credit(
    pg_client, pg_auth, pg_app
) -> None:
    tag = await _setup(pg_app, credit_limit="0")
    key = await pg_auth.with_scopes("orders:write", "orders:payment", channel="storefront")

    def body(i: int):
        return {
            "channel": "storefront",
            "external_ref": f"R-{tag}-{i}",
            "customer": {"code": f"C-{tag}"},
            "submit": True,
            "lines": [{"sku": f"P-{tag}", "quantity": "1"}],
            "payment": {"status": "paid", "reference": f"pay-{i}", "amount": "100"},
        }

    answers = await asyncio.gather(
        *[pg_client.post("/api/v1/orders", json=body(i), headers=key) for i in range(20)]
    )
    assert [a.status_code for a in answers] == [201] * 20
    assert {a.json()["status"] for a in answers} == {"approved"}
