"""The one-statement writer of a transaction's new rows (PostgreSQL): rows of several tables
with foreign keys between them in one statement, Python defaults applied as the ORM applies
them, a unique violation seen as one, and the ORM flush left to do anything else."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Table, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.repositories.events import OutboxEvent
from app.repositories.idempotency import IdempotencyRecord
from app.repositories.row_writer import plain_row, write_new_rows
from app.repositories.uow import is_unique_violation
from app.repositories.warehouses import Warehouse


@pytest.fixture
def sessions(pg_engine):
    return async_sessionmaker(bind=pg_engine, expire_on_commit=False, autoflush=False)


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda c, cur, s, *a: seen.append(s))
    return seen


async def test_new_rows_of_several_tables_go_in_one_statement_with_their_defaults(
    sessions, pg_engine
) -> None:
    tag = uuid.uuid4().hex[:8]
    warehouse = Warehouse(code=f"RW-{tag}", name="仓库", priority=5, version=1)
    outbox = [
        OutboxEvent(event_type="x.made", aggregate_type="x", aggregate_id=tag, payload={"n": i})
        for i in range(3)
    ]
    seen = _statements(pg_engine)
    async with sessions() as session:
        session.add_all([warehouse, *outbox])
        assert await write_new_rows(session, {}) is True
        await session.commit()
    assert len([s for s in seen if "INSERT" in s]) == 1
    # the defaults were applied and are on the objects, as after a flush
    assert isinstance(warehouse.id, uuid.UUID) and warehouse.time_zone == "UTC"
    assert warehouse.active is True and outbox[0].status == "pending"
    async with sessions() as session:
        stored = await session.get(Warehouse, warehouse.id)
        assert stored is not None
        assert (stored.code, stored.name, stored.time_zone, stored.active) == (
            f"RW-{tag}",
            "仓库",
            "UTC",
            True,
        )
        rows = (
            await session.scalars(
                select(OutboxEvent).where(OutboxEvent.aggregate_id == tag).order_by(OutboxEvent.id)
            )
        ).all()
        assert sorted(r.payload["n"] for r in rows) == [0, 1, 2]
        assert {r.status for r in rows} == {"pending"} and all(r.attempts == 0 for r in rows)


async def test_plain_rows_go_in_the_same_statement_with_their_defaults(sessions, pg_engine) -> None:
    tag = uuid.uuid4().hex[:8]
    table = OutboxEvent.__table__
    assert isinstance(table, Table)
    plain = {
        table: [
            plain_row(
                table,
                {
                    "event_type": "x.made",
                    "aggregate_type": "x",
                    "aggregate_id": tag,
                    "payload": {"n": i},
                },
            )
            for i in range(2)
        ]
    }
    warehouse = Warehouse(code=f"RP-{tag}", name="仓库", priority=5, version=1)
    seen = _statements(pg_engine)
    async with sessions() as session:
        session.add(warehouse)
        assert await write_new_rows(session, plain) is True
        await session.commit()
    assert len([s for s in seen if "INSERT" in s]) == 1
    async with sessions() as session:
        rows = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == tag))
        ).all()
        assert sorted(r.payload["n"] for r in rows) == [0, 1]
        assert {(r.status, r.attempts, r.position) for r in rows} == {("pending", 0, None)}
        assert all(isinstance(r.id, uuid.UUID) and r.created_at is not None for r in rows)
        assert await session.get(Warehouse, warehouse.id) is not None


def test_a_plain_row_names_every_column() -> None:
    table = OutboxEvent.__table__
    assert isinstance(table, Table)
    row = plain_row(
        table, {"event_type": "x", "aggregate_type": "x", "aggregate_id": "1", "payload": {}}
    )
    assert set(row) == {c.name for c in table.columns}
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 0, None)


async def test_a_duplicate_key_fails_the_statement_as_a_unique_violation(sessions) -> None:
    owner, key = uuid.uuid4().hex, uuid.uuid4().hex

    def record() -> IdempotencyRecord:
        return IdempotencyRecord(
            owner=owner,
            key=key,
            request_hash="h",
            resource_id="r",
            status_code=201,
            created_at=datetime.now(UTC),
        )

    async with sessions() as session:
        session.add(record())
        await write_new_rows(session, {})
        await session.commit()
    async with sessions() as session:
        session.add(record())
        with pytest.raises(IntegrityError) as failed:
            await write_new_rows(session, {})
        assert is_unique_violation(failed.value)


async def test_with_a_changed_row_the_orm_flush_writes_everything(sessions) -> None:
    tag = uuid.uuid4().hex[:8]
    async with sessions() as session:
        first = Warehouse(code=f"A-{tag}", name="A", priority=1, version=1)
        session.add(first)
        await session.commit()
    async with sessions() as session:
        loaded = await session.get(Warehouse, first.id)
        assert loaded is not None
        loaded.name = "A2"
        session.add(Warehouse(code=f"B-{tag}", name="B", priority=2, version=1))
        assert await write_new_rows(session, {}) is False
        await session.commit()
    async with sessions() as session:
        names = await session.scalars(
            select(Warehouse.name).where(Warehouse.code.in_([f"A-{tag}", f"B-{tag}"]))
        )
        assert sorted(names) == ["A2", "B"]
