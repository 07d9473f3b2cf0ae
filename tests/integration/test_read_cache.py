"""Bounded staleness of what the order path keeps in the process (LADING_READ_CACHE_SECONDS):
a revoked API key or a changed review policy takes effect at once in the process that made
the change, and within the cache's seconds in every other process (here: a change committed
through a unit of work of its own, which this app's cache does not hear of)."""

from __future__ import annotations

import uuid

from app.bootstrap import build_bus
from app.domain.auth import Principal
from app.repositories.read_cache import ReadCache
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.auth.commands import RevokeApiKey
from app.services.order_review.commands import UpdateReviewSettings
from app.services.order_review.policy import DEFAULTS_VERSION
from tests.factories import make_customer, make_product


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _cache(app, clock: Clock, seconds: float = 5) -> ReadCache:
    app.state.read_cache = ReadCache(seconds, clock)
    return app.state.read_cache


def _admin() -> Principal:
    return Principal(
        subject_id=str(uuid.uuid4()),
        name="other-process",
        kind="user",
        roles=("admin",),
        scopes=frozenset({"settings:write", "admin"}),
    )


async def _elsewhere(app, command) -> None:
    """Run ``command`` as another process would: its own unit of work, no shared cache."""
    bus = build_bus(app.state.settings)
    await bus.handle(command, SqlAlchemyUnitOfWork(app.state.sessionmaker, bus))


async def _key_id(client, auth, headers) -> str:
    admin = await auth.as_role("admin")
    keys = (await client.get("/api/v1/api-keys", headers=admin)).json()["items"]
    prefix = headers["X-API-Key"][:12]
    return next(k["id"] for k in keys if k["prefix"] == prefix)


async def test_a_key_revoked_elsewhere_is_refused_once_the_cache_expires(app, client, auth):
    clock = Clock()
    _cache(app, clock)
    key = await auth.with_scopes("orders:read")
    assert (await client.get("/api/v1/orders", headers=key)).status_code == 200
    key_id = await _key_id(client, auth, key)
    await _elsewhere(app, RevokeApiKey(principal=_admin(), key_id=uuid.UUID(key_id)))
    clock.now += 4
    assert (await client.get("/api/v1/orders", headers=key)).status_code == 200
    clock.now += 1.5
    assert (await client.get("/api/v1/orders", headers=key)).status_code == 401


async def test_a_key_revoked_in_this_process_is_refused_at_once(app, client, auth):
    _cache(app, Clock())
    key = await auth.with_scopes("orders:read")
    assert (await client.get("/api/v1/orders", headers=key)).status_code == 200
    key_id = await _key_id(client, auth, key)
    admin = await auth.as_role("admin")
    revoked = await client.post(f"/api/v1/api-keys/{key_id}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert (await client.get("/api/v1/orders", headers=key)).status_code == 401


async def _order(client, headers, tag: str) -> dict:
    body = {
        "channel": "phone",
        "customer": {"code": f"C-{tag}"},
        "lines": [{"sku": f"P-{tag}", "quantity": "1"}],
        "submit": True,
    }
    response = await client.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_review_policy_changed_elsewhere_applies_within_the_cache_seconds(
    app, client, auth, sessionmaker
):
    clock = Clock()
    _cache(app, clock)
    tag = uuid.uuid4().hex[:6]
    await make_product(sessionmaker, f"P-{tag}", list_price="10.00")
    await make_customer(sessionmaker, f"C-{tag}", credit_limit="100000")
    sales = await auth.as_role("sales")
    assert (await _order(client, sales, tag))["status"] == "approved"
    # From now on an order over 5.00 needs a sales manager's approval.
    change = UpdateReviewSettings(
        principal=_admin(), expected_version=DEFAULTS_VERSION, changes={"amount_threshold_1": "5"}
    )
    await _elsewhere(app, change)
    clock.now += 4
    assert (await _order(client, sales, tag))["status"] == "approved"
    clock.now += 1.5
    assert (await _order(client, sales, tag))["status"] == "pending_approval"
