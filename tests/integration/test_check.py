"""The invariant check (``GET /api/v1/admin/check`` and ``lading check``): clean data passes,
a level changed behind the ledger's back is reported, on both engines."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from app import cli, migrate
from app.bootstrap import build_bus
from app.db import create_engine, create_sessionmaker
from app.domain.auth import Principal
from app.domain.stock import MovementKind
from app.repositories.stock import StockLevel
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.stock.commands import RecordMovement
from app.settings import Settings, get_settings
from tests.factories import make_product, make_warehouse
from tests.integration.stock_data import force_level
from tests.support import assert_problem

CHECK = "/api/v1/admin/check"


async def test_admin_check_is_ok_then_reports_a_level_that_left_its_ledger(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("admin")
    warehouse = await make_warehouse(sessionmaker)
    product = await make_product(sessionmaker)
    created = await client.post(
        "/api/v1/stock/movements",
        json={"warehouse": warehouse.code, "sku": product.sku, "kind": "receipt", "quantity": "5"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    clean = await client.get(CHECK, headers=headers)
    assert clean.status_code == 200, clean.text
    assert clean.json() == {"ok": True, "count": 0, "violations": []}

    await force_level(sessionmaker, warehouse.id, product.id, on_hand=Decimal(7))
    report = (await client.get(CHECK, headers=headers)).json()
    assert report["ok"] is False and report["count"] == 1
    assert report["violations"] == [
        {
            "warehouse_id": str(warehouse.id),
            "product_id": str(product.id),
            "order_line_id": None,
            "record_type": None,
            "record_id": None,
            "rule": "ledger_mismatch",
            "detail": "on_hand 7 differs from the movements' sum 5",
        }
    ]

    other = await make_product(sessionmaker)
    for sku in (other.sku, product.sku):
        response = await client.post(
            "/api/v1/stock/movements",
            json={"warehouse": warehouse.code, "sku": sku, "kind": "receipt", "quantity": "1"},
            headers=headers,
        )
        assert response.status_code == 201, response.text
    async with sessionmaker() as session:
        await session.execute(delete(StockLevel).where(StockLevel.product_id == other.id))
        await session.commit()
    report = (await client.get(f"{CHECK}?limit=1", headers=headers)).json()
    assert report["ok"] is False and report["count"] == 2 and len(report["violations"]) == 1
    full = (await client.get(CHECK, headers=headers)).json()
    assert {(v["product_id"], v["rule"]) for v in full["violations"]} == {
        (str(product.id), "ledger_mismatch"),
        (str(other.id), "level_missing"),
    }


async def test_admin_check_is_for_admins_only(client, auth) -> None:
    assert_problem(await client.get(CHECK), 401)
    for role in ("warehouse", "viewer", "sales"):
        response = await client.get(CHECK, headers=await auth.as_role(role))
        assert_problem(response, 403, code="permission_denied")
    keyed = await auth.with_scopes("stock:read", "stock:write")
    assert_problem(await client.get(CHECK, headers=keyed), 403)


@pytest.fixture
def committed_database(empty_database: str, monkeypatch: pytest.MonkeyPatch):
    """A migrated database whose data really commits, with ``lading`` pointed at it."""
    migrate.upgrade(empty_database)
    monkeypatch.setenv("LADING_DATABASE_URL", empty_database)
    get_settings.cache_clear()
    yield empty_database
    get_settings.cache_clear()


async def _on(url: str, work):
    engine = create_engine(url)
    try:
        return await work(create_sessionmaker(engine))
    finally:
        await engine.dispose()


async def _receive_eight(sessions) -> tuple[str, str]:
    """Stock 8 units through the use case (level, ledger, audit and outbox commit together)."""
    warehouse = await make_warehouse(sessions)
    product = await make_product(sessions)
    clerk = Principal("t", "clerk", "user", ("warehouse",), frozenset({"stock:write"}))
    command = RecordMovement(
        principal=clerk,
        warehouse=warehouse.code,
        sku=product.sku,
        kind=MovementKind.RECEIPT,
        quantity=Decimal(8),
    )
    bus = build_bus(Settings(_env_file=None))
    await bus.handle(command, SqlAlchemyUnitOfWork(sessions, bus))
    return str(warehouse.id), str(product.id)


async def _raise_on_hand_behind_the_ledger(sessions) -> None:
    async with sessions() as session:
        level = (await session.scalars(select(StockLevel))).one()
    await force_level(sessions, level.warehouse_id, level.product_id, on_hand=Decimal(9))


def test_lading_check_exits_0_when_clean_and_1_listing_each_violation(
    committed_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse_id, product_id = asyncio.run(_on(committed_database, _receive_eight))
    assert cli.main(["check"]) == 0
    assert "ok: every invariant holds" in capsys.readouterr().out

    asyncio.run(_on(committed_database, _raise_on_hand_behind_the_ledger))
    assert cli.main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"VIOLATION ledger_mismatch: warehouse={warehouse_id} product={product_id}: "
        "on_hand 9 differs from the movements' sum 8"
    ]
    assert "1 invariant violation(s)" in captured.err
