"""The application is built once per engine (tests/conftest.py ``shared_app``) and lent to each
test with that test's sessionmaker; what a test changes on it is put back afterwards."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter

SEEN: dict[str, Any] = {}


async def test_the_app_is_lent_with_this_tests_sessionmaker(app, shared_app, sessionmaker) -> None:
    assert app is shared_app
    assert app.state.sessionmaker is sessionmaker


async def test_a_test_may_change_the_app_state(app, client: httpx.AsyncClient) -> None:
    """Changes the things tests change (settings, carrier client, the guard's resolver, a
    route); the next test finds them as they were."""
    engine = app.state.settings.database_url.split(":")[0]
    SEEN[engine] = {
        "settings": app.state.settings,
        "bus": app.state.bus,
        "client": app.state.carrier_client,
        "resolve": app.state.outbound_guard.resolve,
        "routes": len(app.router.routes),
    }
    app.state.settings = app.state.settings.model_copy(update={"order_max_lines": 1})
    app.state.carrier_client = httpx.AsyncClient()
    app.state.outbound_guard.resolve = lambda host: ["10.0.0.1"]
    app.state.extra = "left behind"
    router = APIRouter()

    @router.get("/only-in-one-test")
    async def only() -> dict[str, str]:
        return {"ok": "yes"}

    app.include_router(router)
    assert (await client.get("/only-in-one-test")).status_code == 200


async def test_the_next_test_finds_the_app_as_it_was(app, client: httpx.AsyncClient) -> None:
    engine = app.state.settings.database_url.split(":")[0]
    before = SEEN.get(engine)
    if before is None:  # run on its own
        return
    assert app.state.settings is before["settings"]
    assert app.state.settings.order_max_lines != 1
    assert app.state.bus is before["bus"]
    assert app.state.carrier_client is before["client"]
    assert app.state.outbound_guard.resolve is before["resolve"]
    assert not hasattr(app.state, "extra")
    assert len(app.router.routes) == before["routes"]
    assert (await client.get("/only-in-one-test")).status_code == 404
    assert "/only-in-one-test" not in app.openapi()["paths"]
