"""Reservation under real concurrency, on PostgreSQL with parallel connections (issue #5's four
proofs). Every test ends with ``lading check``'s invariants: nothing broken."""

from __future__ import annotations

import asyncio
import random
import uuid
from decimal import Decimal

from sqlalchemy import func, select

from app.repositories.reservations import Reservation
from app.repositories.stock import StockLevel
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from tests.factories import make_customer, make_product, make_warehouse


async def _world(pg_app, skus: int, warehouses: int):
    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:6]
    products = [
        await make_product(
            sessionmaker, f"P{i}-{tag}", list_price="10.00", floor_price=None, tax_rate="0"
        )
        for i in range(skus)
    ]
    sites = [await make_warehouse(sessionmaker, f"W{i}-{tag}") for i in range(warehouses)]
    await make_customer(sessionmaker, f"C-{tag}", credit_limit="0")
    return tag, products, sites


async def _receive(client, headers, warehouse, sku, quantity):
    response = await client.post(
        "/api/v1/stock/movements",
        headers=headers,
        json={
            "warehouse": warehouse.code,
            "sku": sku,
            "kind": "receipt",
            "quantity": str(quantity),
        },
    )
    assert response.status_code == 201, response.text


def _paid_order(tag: str, ref: str, lines: list[tuple[str, int]]):
    total = sum(q for _, q in lines) * 10
    return {
        "channel": "storefront",
        "external_ref": ref,
        "customer": {"code": f"C-{tag}"},
        "lines": [{"sku": s, "quantity": str(q)} for s, q in lines],
        "submit": True,
        "payment": {"status": "paid", "reference": ref, "amount": str(total)},
    }


async def _reserved(pg_app, product_ids) -> Decimal:
    async with pg_app.state.sessionmaker() as session:
        return Decimal(
            await session.scalar(
                select(func.coalesce(func.sum(StockLevel.reserved), 0)).where(
                    StockLevel.product_id.in_(product_ids)
                )
            )
        )


async def _no_violations(pg_app) -> None:
    assert await check_invariants(SqlAlchemyUnitOfWork(pg_app.state.sessionmaker)) == []


async def test_100_orders_race_for_10_units_in_two_warehouses(pg_client, pg_auth, pg_app) -> None:
    tag, (product,), sites = await _world(pg_app, skus=1, warehouses=2)
    warehouse = await pg_auth.as_role("warehouse")
    await _receive(pg_client, warehouse, sites[0], product.sku, 6)
    await _receive(pg_client, warehouse, sites[1], product.sku, 4)
    key = await pg_auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    answers = await asyncio.gather(
        *[
            pg_client.post(
                "/api/v1/orders",
                headers=key,
                json=_paid_order(tag, f"R{i}-{tag}", [(product.sku, 1)]),
            )
            for i in range(100)
        ]
    )
    assert [a.status_code for a in answers] == [201] * 100, {
        a.text for a in answers if a.status_code != 201
    }
    reserved_lines = sum(Decimal(a.json()["lines"][0]["reserved"]) for a in answers)
    assert reserved_lines == 10
    assert await _reserved(pg_app, [product.id]) == 10
    backorders = (
        await pg_client.get(f"/api/v1/backorders?sku={product.sku}&limit=200", headers=key)
    ).json()
    assert len(backorders["items"]) == 90
    await _no_violations(pg_app)


async def test_50_multi_line_orders_in_random_line_order_never_deadlock(
    pg_client, pg_auth, pg_app
) -> None:
    tag, products, sites = await _world(pg_app, skus=5, warehouses=2)
    warehouse = await pg_auth.as_role("warehouse")
    for p in products:
        for site in sites:
            await _receive(pg_client, warehouse, site, p.sku, 20)
    key = await pg_auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    rng = random.Random(7)

    def lines():
        chosen = rng.sample(products, k=rng.randint(2, 5))
        return [(p.sku, rng.randint(1, 4)) for p in chosen]

    answers = await asyncio.gather(
        *[
            pg_client.post(
                "/api/v1/orders", headers=key, json=_paid_order(tag, f"M{i}-{tag}", lines())
            )
            for i in range(50)
        ]
    )
    assert {a.status_code for a in answers} == {201}, [
        a.text for a in answers if a.status_code != 201
    ][:3]
    ids = [p.id for p in products]
    async with pg_app.state.sessionmaker() as session:
        ledger = await session.scalar(
            select(func.sum(Reservation.quantity)).where(Reservation.product_id.in_(ids))
        )
    assert await _reserved(pg_app, ids) == Decimal(ledger) <= 5 * 2 * 20
    await _no_violations(pg_app)


async def test_cancellation_racing_allocation_leaves_nothing_reserved(
    pg_client, pg_auth, pg_app
) -> None:
    tag, (product,), sites = await _world(pg_app, skus=1, warehouses=1)
    warehouse = await pg_auth.as_role("warehouse")
    sales = await pg_auth.as_role("sales")
    key = await pg_auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    # Orders waiting for stock; a receipt allocates them while they are being cancelled.
    waiting = []
    for i in range(10):
        placed = await pg_client.post(
            "/api/v1/orders", headers=key, json=_paid_order(tag, f"X{i}-{tag}", [(product.sku, 1)])
        )
        waiting.append(placed.json()["id"])
    cancels = [
        pg_client.post(f"/api/v1/orders/{oid}/cancel", json={"reason": "race"}, headers=sales)
        for oid in waiting
    ]
    receipt = _receive(pg_client, warehouse, sites[0], product.sku, 10)
    results = await asyncio.gather(receipt, *cancels)
    assert all(r.status_code == 200 for r in results[1:])
    assert await _reserved(pg_app, [product.id]) == 0
    async with pg_app.state.sessionmaker() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(Reservation)
                .where(Reservation.product_id == product.id)
            )
            == 0
        )
    await _no_violations(pg_app)


async def test_receipt_racing_new_orders_allocates_every_unit_once(
    pg_client, pg_auth, pg_app
) -> None:
    tag, (product,), sites = await _world(pg_app, skus=1, warehouses=1)
    warehouse = await pg_auth.as_role("warehouse")
    key = await pg_auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    first = [
        pg_client.post(
            "/api/v1/orders", headers=key, json=_paid_order(tag, f"A{i}-{tag}", [(product.sku, 1)])
        )
        for i in range(15)
    ]
    await asyncio.gather(*first)
    racing = [
        pg_client.post(
            "/api/v1/orders", headers=key, json=_paid_order(tag, f"B{i}-{tag}", [(product.sku, 1)])
        )
        for i in range(15)
    ]
    results = await asyncio.gather(
        _receive(pg_client, warehouse, sites[0], product.sku, 20), *racing
    )
    assert all(r.status_code == 201 for r in results[1:])
    assert await _reserved(pg_app, [product.id]) == 20
    listed = (
        await pg_client.get(f"/api/v1/backorders?sku={product.sku}&limit=100", headers=key)
    ).json()
    assert len(listed["items"]) == 10  # 30 ordered, 20 arrived: each unit promised once
    await _no_violations(pg_app)
