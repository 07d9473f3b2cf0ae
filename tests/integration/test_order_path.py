"""The storefront order path's shape on PostgreSQL (issue 20): one transaction and at most 8
statements per order, authentication included; every new row written in one statement; a
dropped pooled connection recovered; repeats answered as the first time."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, select, text

from app.db import create_engine
from app.repositories.orders import Order
from app.repositories.payments import Payment
from app.repositories.read_cache import ReadCache
from app.repositories.reservations import Reservation
from tests.factories import make_customer, make_product, make_warehouse


async def _world(pg_client, pg_auth, pg_app) -> tuple[str, dict[str, str]]:
    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:6]
    warehouse = await make_warehouse(sessionmaker, f"W-{tag}")
    for i in range(3):
        await make_product(sessionmaker, f"P{i}-{tag}", list_price="10.00", tax_rate="0")
    await make_customer(sessionmaker, f"C-{tag}", credit_limit="0")
    stock = await pg_auth.as_role("warehouse")
    for i in range(3):
        response = await pg_client.post(
            "/api/v1/stock/movements",
            headers=stock,
            json={
                "warehouse": warehouse.code,
                "sku": f"P{i}-{tag}",
                "kind": "receipt",
                "quantity": "100",
            },
        )
        assert response.status_code == 201, response.text
    key = await pg_auth.with_scopes("orders:write", "orders:payment", channel="storefront")
    return tag, key


def _body(tag: str, ref: str) -> dict[str, Any]:
    return {
        "channel": "storefront",
        "external_ref": ref,
        "customer": {"code": f"C-{tag}"},
        "lines": [{"sku": f"P{i}-{tag}", "quantity": "1"} for i in range(3)],
        "submit": True,
        "payment": {"status": "paid", "reference": ref, "amount": "30.00"},
    }


class Counter:
    """Statements and transactions a block of code runs on an engine."""

    def __init__(self, engine) -> None:
        self.engine = engine.sync_engine
        self.statements: list[str] = []
        self.transactions = 0

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def _begin(self, conn) -> None:
        self.transactions += 1

    def __enter__(self) -> Counter:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "begin", self._begin)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "begin", self._begin)


async def test_a_storefront_order_is_one_transaction_of_at_most_seven_statements(
    pg_client, pg_auth, pg_app, pg_engine
) -> None:
    tag, key = await _world(pg_client, pg_auth, pg_app)
    pg_app.state.read_cache = ReadCache(60)  # as in production (tests read afresh by default)
    warm = await pg_client.post(
        "/api/v1/orders", json=_body(tag, f"W-{tag}"), headers={**key, "Idempotency-Key": "w" + tag}
    )
    assert warm.status_code == 201, warm.text
    with Counter(pg_engine) as counted:
        response = await pg_client.post(
            "/api/v1/orders",
            json=_body(tag, f"R-{tag}"),
            headers={**key, "Idempotency-Key": "r" + tag},
        )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "approved"
    assert counted.transactions == 1
    # A shop connected in this shared database by another test reads its SKU mapping and
    # marks its SKUs (two statements of its own per order), not counted here: there is no
    # shop in the benchmark either.
    order_path = [s for s in counted.statements if "storefront_" not in s]
    assert len(order_path) <= 7, "\n".join(s[:90] for s in counted.statements)
    # The order's and its payment's numbers in one statement.
    numbered = [s for s in counted.statements if "nextval(" in s]
    assert numbered == ["SELECT nextval('order_number_seq'), nextval('payment_number_seq')"]
    # Every new row in one statement.
    written = [s for s in counted.statements if s.startswith("WITH ") and "INSERT INTO" in s]
    assert len(written) == 1
    assert "INSERT INTO orders" in written[0] and "INSERT INTO outbox" in written[0]
    async with pg_app.state.sessionmaker() as session:
        order = await session.scalar(select(Order).where(Order.external_ref == f"R-{tag}"))
        assert order is not None and order.version == 1
        held = await session.scalars(select(Reservation).where(Reservation.order_id == order.id))
        assert len(list(held)) == 3
        paid = await session.scalar(select(Payment).where(Payment.order_id == order.id))
        assert paid is not None and paid.number.startswith("PAY-")


async def test_a_repeat_is_answered_with_the_first_order_even_if_the_rules_changed(
    pg_client, pg_auth, pg_app
) -> None:
    tag, key = await _world(pg_client, pg_auth, pg_app)
    headers = {**key, "Idempotency-Key": "k" + tag}
    first = await pg_client.post("/api/v1/orders", json=_body(tag, f"S-{tag}"), headers=headers)
    assert first.status_code == 201, first.text
    async with pg_app.state.sessionmaker() as session:
        await session.execute(
            text("UPDATE customers SET status = 'blocked' WHERE code = :c"), {"c": f"C-{tag}"}
        )
        await session.commit()
    again = await pg_client.post("/api/v1/orders", json=_body(tag, f"S-{tag}"), headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    other = await pg_client.post(
        "/api/v1/orders", json=_body(tag, f"T-{tag}"), headers={**key, "Idempotency-Key": "t" + tag}
    )
    assert other.status_code == 422  # a new order of a blocked customer is refused
    reused = await pg_client.post(
        "/api/v1/orders", json={**_body(tag, f"S-{tag}"), "notes": "changed"}, headers=headers
    )
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"


async def test_a_dropped_pooled_connection_is_replaced_before_use(
    pg_committed_url, monkeypatch
) -> None:
    from app import db

    engine = create_engine(pg_committed_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        killer = create_engine(pg_committed_url, pool_size=1)
        async with killer.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        await killer.dispose()
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()


async def test_only_a_connection_idle_in_the_pool_is_pinged(pg_committed_url, monkeypatch):
    from app import db

    engine = create_engine(pg_committed_url, pool_size=1)
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    try:
        for _ in range(3):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert pings == []  # in steady use: no round trip spent on liveness
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        await engine.dispose()
