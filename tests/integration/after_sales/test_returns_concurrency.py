"""Returns under real concurrency, on PostgreSQL with parallel connections (a database of
their own, committed data): a line never takes back more than was delivered (invariant 3),
whichever requests, approvals and receipts race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app import migrate
from app.db import create_engine, create_sessionmaker
from app.main import create_app
from tests.conftest import create_postgres_database, drop_postgres_database, make_settings
from tests.integration.after_sales.support import (
    RETURNS,
    data,
    decide,
    delivered,
    line_ids,
    on_hand,
    request_return,
)
from tests.support import Auth

__all__ = ["data"]


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = create_postgres_database("lading_rma")
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url, pool_size=10)
    yield engine
    await engine.dispose()


@pytest.fixture
def app(pg_url: str, pg: AsyncEngine) -> Any:
    return create_app(make_settings(pg_url), sessionmaker=create_sessionmaker(pg))


@pytest.fixture
def sessionmaker(app: Any) -> Any:
    """The committed database's sessions: the shared ``data`` fixture writes through them."""
    return app.state.sessionmaker


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def auth(client: httpx.AsyncClient, app: Any) -> Auth:
    return Auth(client, app.state.sessionmaker, app.state.settings)


def _body(order: dict, quantity: str) -> dict:
    return {
        "order_id": order["id"],
        "lines": [{"order_line_id": line_ids(order)["S-1"], "quantity": quantity}],
        "reason": "no_longer_wanted",
        "resolution": "refund",
        "method": "drop_off",
    }


async def _returned(client, auth, order: dict) -> str:
    view = await client.get(f"/api/v1/orders/{order['id']}", headers=await auth.as_role("viewer"))
    return str(view.json()["lines"][0]["returned"])


async def test_two_requests_for_the_last_units_make_one_return(client, auth, data) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3"})
    headers = await auth.as_role("sales")
    answers = await asyncio.gather(
        *(client.post(RETURNS, headers=headers, json=_body(order, "3")) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [201, 422, 422, 422]
    refused = [a.json() for a in answers if a.status_code == 422]
    assert all(p["errors"][0]["rule"] == "within_returnable" for p in refused)
    listed = await client.get(RETURNS, params={"order_id": order["id"]}, headers=headers)
    assert [x["lines"][0]["quantity"] for x in listed.json()["items"]] == ["3"]


async def test_approvals_and_receipts_racing_stay_within_what_was_delivered(
    client, auth, data
) -> None:
    headers = await auth.as_role("admin")
    current = await client.get("/api/v1/settings/review", headers=headers)
    changed = await client.put(
        "/api/v1/settings/review",
        headers={**headers, "If-Match": current.headers["ETag"]},
        json={"return_auto_approve_max": "0"},
    )
    assert changed.status_code == 200, changed.text
    order, _ = await delivered(client, auth, {"S-1": "2"})
    first = await request_return(client, auth, order, {"S-1": "1"})
    second = await request_return(client, auth, order, {"S-1": "1"})
    a, b = await asyncio.gather(decide(client, auth, first), decide(client, auth, second))
    assert a["status"] == b["status"] == "approved"

    wh = await auth.as_role("warehouse")
    body = {"lines": [{"return_line_id": first["lines"][0]["id"], "restock": "1"}]}
    answers = await asyncio.gather(
        *(client.post(f"{RETURNS}/{first['id']}/receive", headers=wh, json=body) for _ in range(3))
    )
    assert sorted(x.status_code for x in answers) == [200, 409, 409], [x.text for x in answers]
    assert await on_hand(client, auth, "S-1") == ("1", "0")  # moved once
    assert await _returned(client, auth, order) == "1"


async def test_racing_resolutions_resolve_a_return_once(client, auth, data) -> None:
    """Refunds, a replacement and a payment of the same invoice at once: one resolution wins,
    one credit note is issued, nothing deadlocks into a 500."""
    order, _ = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "2"}, resolution="replacement")
    wh = await auth.as_role("warehouse")
    body = {"lines": [{"return_line_id": ret["lines"][0]["id"], "restock": "2"}]}
    received = await client.post(f"{RETURNS}/{ret['id']}/receive", headers=wh, json=body)
    assert received.status_code == 200, received.text
    finance = await auth.as_role("finance")
    url = f"{RETURNS}/{ret['id']}"
    payment = {
        "customer_id": order["customer_id"],
        "amount": "30.00",
        "currency": "CNY",
        "method": "bank_transfer",
        "reference": "RACE",
    }
    answers = await asyncio.gather(
        client.post(f"{url}/refund", headers=finance, json={"method": "bank_transfer"}),
        client.post(f"{url}/refund", headers=finance, json={"method": "bank_transfer"}),
        client.post(f"{url}/replacement", headers=await auth.as_role("sales")),
        client.post("/api/v1/payments", headers=finance, json=payment),
    )
    codes = [a.status_code for a in answers]
    assert codes[3] == 201, answers[3].text
    assert sorted(codes[:3]) in ([200, 409, 409], [201, 409, 409]), [a.text for a in answers]
    view = (await client.get(url, headers=finance)).json()
    assert view["status"] == "resolved"
    notes = await client.get("/api/v1/credit-notes", headers=finance)
    assert len(notes.json()["items"]) == (1 if view["resolution"] == "refund" else 0)
    placed = (await client.get(f"/api/v1/orders/{order['id']}", headers=finance)).json()
    credited = "2" if view["resolution"] == "refund" else "0"
    assert [(x["returned"], x["credited"]) for x in placed["lines"]] == [("2", credited)]
