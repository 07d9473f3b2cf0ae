"""Shared steps of the make-to-order tests: a make_to_order product M-1 (3 days to make,
10.00, no tax), orders of it, and production requests read and reported through HTTP."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.adapters.production.lading_json import sign_report
from app.domain.webhooks import new_secret
from tests.factories import make_product
from tests.integration.test_shipments import SHANGHAI, data

__all__ = [
    "MO",
    "WEBHOOK",
    "data",
    "made",
    "order_of",
    "report",
    "requests_of",
    "signed_report",
    "with_mes_secret",
]

MO = "/api/v1/production-requests"
WEBHOOK = "/api/v1/webhooks/production"


@pytest.fixture
async def made(data, sessionmaker) -> None:
    """M-1 is made to order; B-1 is bought."""
    for sku, method in (("M-1", "make_to_order"), ("B-1", "buy")):
        await make_product(
            sessionmaker,
            sku,
            list_price="10.00",
            floor_price=None,
            tax_rate="0",
            supply_method=method,
            production_lead_days=3,
        )


async def order_of(client, auth, quantity: str, **extra: Any) -> dict:
    """An approved order of M-1 × ``quantity`` for ACME (backordered: nothing on hand)."""
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": "M-1", "quantity": quantity}],
            "submit": True,
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["status"] == "approved", placed
    return placed


async def requests_of(client, auth, **params: str) -> list[dict]:
    response = await client.get(MO, params=params, headers=await auth.as_role("viewer"))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def report(client, auth, request: dict, expect: int = 200, **body: Any) -> dict:
    response = await client.post(
        f"{MO}/{request['id']}/reports", headers=await auth.as_role("warehouse"), json=body
    )
    assert response.status_code == expect, response.text
    return dict(response.json())


def with_mes_secret(app) -> str:
    """The app's settings now carry a production system's report secret (the bus follows
    ``app.state.settings``); returns it."""
    secret = new_secret()
    app.state.settings = app.state.settings.model_copy(
        update={"mes_webhook_secret": SecretStr(secret)}
    )
    return secret


async def signed_report(
    client, secret: str, document: dict[str, Any], msg_id: str | None = None
) -> httpx.Response:
    """POST ``document`` to Lading's production webhook, signed with ``secret``."""
    body = json.dumps(document).encode()
    now = int(datetime.now(UTC).timestamp())
    headers = sign_report(secret, body, msg_id or f"mes_{uuid.uuid4().hex}", now)
    return await client.post(
        WEBHOOK, content=body, headers={**headers, "content-type": "application/json"}
    )
