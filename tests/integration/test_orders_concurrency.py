"""Exactly-once intake under real concurrency, on PostgreSQL with parallel connections."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from app.repositories.orders import Order
from tests.factories import make_customer, make_product


async def test_twenty_concurrent_identical_pushes_create_one_order(
    pg_client, pg_auth, pg_app
) -> None:
    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:6]
    await make_product(sessionmaker, f"P-{tag}")
    await make_customer(sessionmaker, f"C-{tag}")
    key = await pg_auth.with_scopes("orders:write", "orders:payment", channel="storefront")
    body = {
        "channel": "storefront",
        "external_ref": f"SHOP-{tag}",
        "customer": {"code": f"C-{tag}"},
        "lines": [{"sku": f"P-{tag}", "quantity": "1"}],
        "payment": {"status": "paid", "reference": "pay", "amount": "11.30"},
        "submit": True,
    }

    async def push():
        return await pg_client.post(
            "/api/v1/orders", json=body, headers={**key, "Idempotency-Key": f"idem-{tag}"}
        )

    answers = await asyncio.gather(*[push() for _ in range(20)])
    assert all(a.status_code in (200, 201) for a in answers), [a.text for a in answers]
    assert [a.status_code for a in answers].count(201) == 1
    assert len({a.json()["id"] for a in answers}) == 1
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Order).where(Order.external_ref == f"SHOP-{tag}")
        )
    assert count == 1


async def test_concurrent_pushes_without_a_key_dedupe_on_external_ref(
    pg_client, pg_auth, pg_app
) -> None:
    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:6]
    await make_product(sessionmaker, f"P-{tag}")
    await make_customer(sessionmaker, f"C-{tag}")
    key = await pg_auth.with_scopes("orders:write")
    body = {
        "channel": "edi",
        "external_ref": f"EDI-{tag}",
        "customer": {"code": f"C-{tag}"},
        "lines": [{"sku": f"P-{tag}", "quantity": "2"}],
    }
    answers = await asyncio.gather(
        *[pg_client.post("/api/v1/orders", json=body, headers=key) for _ in range(10)]
    )
    assert {a.status_code for a in answers} <= {200, 201}
    assert len({a.json()["id"] for a in answers}) == 1


async def test_concurrent_creation_never_repeats_a_number(pg_client, pg_auth, pg_app) -> None:
    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:6]
    await make_product(sessionmaker, f"P-{tag}")
    await make_customer(sessionmaker, f"C-{tag}")
    headers = await pg_auth.as_role("sales")
    body = {
        "channel": "phone",
        "customer": {"code": f"C-{tag}"},
        "lines": [{"sku": f"P-{tag}", "quantity": "1"}],
    }
    answers = await asyncio.gather(
        *[pg_client.post("/api/v1/orders", json=body, headers=headers) for _ in range(30)]
    )
    assert all(a.status_code == 201 for a in answers)
    numbers = [a.json()["number"] for a in answers]
    assert len(set(numbers)) == 30
