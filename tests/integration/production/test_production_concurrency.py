"""Production reports under real concurrency, on PostgreSQL with parallel connections (a
database of their own, committed data): racing completions never make more than was asked
for without a reason, and a webhook delivered twice at once is applied once."""

from __future__ import annotations

import asyncio
import uuid

from tests.integration.after_sales.test_returns_concurrency import (
    app,
    auth,
    client,
    pg,
    pg_url,
    sessionmaker,
)
from tests.integration.production.support import (
    MO,
    data,
    made,
    signed_report,
    with_mes_secret,
)

__all__ = ["app", "auth", "client", "data", "made", "pg", "pg_url", "sessionmaker"]


async def _released(client, auth, quantity: str) -> dict:
    wh = await auth.as_role("warehouse")
    created = await client.post(MO, headers=wh, json={"sku": "M-1", "quantity": quantity})
    assert created.status_code == 201, created.text
    released = await client.post(f"{MO}/{created.json()['id']}/release", headers=wh)
    assert released.status_code == 200, released.text
    return dict(released.json())


async def _levels(client, auth) -> list[str]:
    response = await client.get(
        "/api/v1/stock/levels", params={"sku": "M-1"}, headers=await auth.as_role("warehouse")
    )
    return [x["on_hand"] for x in response.json()["items"]]


async def test_racing_completions_stay_within_the_request(client, auth, made) -> None:
    request = await _released(client, auth, "5")
    wh = await auth.as_role("warehouse")
    body = {"type": "completed", "completed_quantity": "2"}
    answers = await asyncio.gather(
        *(client.post(f"{MO}/{request['id']}/reports", headers=wh, json=body) for _ in range(3))
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 422], [a.text for a in answers]
    view = (await client.get(f"{MO}/{request['id']}", headers=wh)).json()
    assert view["quantity_completed"] == "4" and view["status"] == "partly_completed"
    assert await _levels(client, auth) == ["4"]


async def test_a_report_delivered_twice_at_once_is_applied_once(app, client, auth, made) -> None:
    secret = with_mes_secret(app)
    request = await _released(client, auth, "3")
    document = {
        "type": "completed",
        "request": request["number"],
        "completed_quantity": "1",
        "occurred_at": "2026-12-03T10:00:00Z",
    }
    msg_id = f"mes_{uuid.uuid4().hex}"
    answers = await asyncio.gather(
        *(signed_report(client, secret, document, msg_id) for _ in range(3))
    )
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert sorted(a.json()["status"] for a in answers) == ["accepted", "duplicate", "duplicate"]
    assert await _levels(client, auth) == ["1"]
