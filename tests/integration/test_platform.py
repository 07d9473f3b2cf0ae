"""Health, readiness, metrics, request ids and problem+json for routing errors."""

from __future__ import annotations

import re

import httpx
from fastapi import APIRouter

from tests.support import assert_problem


async def test_healthz_needs_no_credentials(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_database_at_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["revision"]


async def test_metrics_are_prometheus_text(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'lading_http_requests_total{method="GET",route="/healthz",status="200"}' in (
        response.text
    )


async def test_request_id_is_echoed_or_created(client: httpx.AsyncClient) -> None:
    mine = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    fresh = await client.get("/healthz")
    assert len(fresh.headers["x-request-id"]) == 32


async def test_unknown_path_is_problem_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here", headers={"X-Request-ID": "req-1"})
    body = assert_problem(response, 404, code="not_found")
    assert body["request_id"] == "req-1"


async def test_wrong_method_is_problem_405(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete("/healthz"), 405, code="method_not_allowed")


async def test_unexpected_error_is_problem_500_without_internals(app, client) -> None:
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("SELECT secret FROM users -- internal detail")

    app.include_router(router)
    response = await client.get("/boom", headers={"X-Request-ID": "boom-1"})
    body = assert_problem(response, 500, code="internal_error")
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] == "boom-1"
    assert body["request_id"] == "boom-1"


async def test_readyz_is_503_when_migrations_are_behind(app, client, monkeypatch) -> None:
    from app.services import health

    monkeypatch.setattr(health, "head_revisions", lambda: frozenset({"9999"}))
    assert_problem(await client.get("/readyz"), 503, code="migrations_pending")


async def test_docs_work_offline_from_assets_lading_serves(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        html = (await client.get(page)).text
        assert "cdn." not in html and "https://" not in html.split("<body>")[0]
        assets = re.findall(r'(?:src|href)="(/static-offline-docs/[^"]+)"', html)
        assert assets, html
        for asset in assets:
            response = await client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 1000


async def test_the_page_size_limit_is_the_configured_one(app, client, auth) -> None:
    maximum = app.state.settings.page_size_max
    limits = [
        p["schema"]
        for item in app.openapi()["paths"].values()
        for op in item.values()
        for p in op.get("parameters", [])
        if p["name"] == "limit"
    ]
    assert limits and all(s["maximum"] == maximum for s in limits)
    headers = await auth.as_role("viewer")
    ok = await client.get(f"/api/v1/warehouses?limit={maximum}", headers=headers)
    assert ok.status_code == 200, ok.text
    over = await client.get(f"/api/v1/warehouses?limit={maximum + 1}", headers=headers)
    assert_problem(over, 422, field="query.limit")
