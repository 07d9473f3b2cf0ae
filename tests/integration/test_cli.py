"""The ``lading`` command against a real SQLite file: db upgrade, create-user, seed-demo, check."""

from __future__ import annotations

import pytest

from app import cli
from app.settings import get_settings


@pytest.fixture
def database_env(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LADING_DATABASE_URL", empty_database)
    get_settings.cache_clear()
    yield empty_database
    get_settings.cache_clear()


def test_upgrade_create_user_seed_and_check(database_env: str, capsys) -> None:
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["create-user", "boss", "--role", "admin", "--password", "long-password"]) == 0
    assert "created user boss (admin)" in capsys.readouterr().out

    assert cli.main(["create-user", "boss", "--role", "admin", "--password", "long-password"]) == 1
    assert "already exists" in capsys.readouterr().err

    assert cli.main(["create-user", "x", "--role", "king", "--password", "long-password"]) == 1
    assert "Unknown role" in capsys.readouterr().err

    assert cli.main(["seed-demo"]) == 0
    first = capsys.readouterr().out
    assert "demo-admin" in first and "demo-admin-pass" in first
    assert cli.main(["seed-demo"]) == 0  # a second run changes nothing and still succeeds
    assert _counts(database_env) == {"products": 6, "customers": 3, "stock_movements": 15}

    assert cli.main(["check"]) == 0
    assert "ok" in capsys.readouterr().out


async def test_lifespan_runs_the_inprocess_dispatcher(tmp_path) -> None:
    import asyncio

    from app import migrate
    from app.main import create_app
    from tests.conftest import make_settings

    url = f"sqlite+aiosqlite:///{tmp_path / 'life.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    app = create_app(
        make_settings(url, inprocess_dispatcher=True, dispatcher_interval_seconds=0.05)
    )
    async with app.router.lifespan_context(app):
        assert app.state.sessionmaker is not None
        await asyncio.sleep(0.1)
        tasks = [t for t in asyncio.all_tasks() if "run_forever" in repr(t.get_coro())]
        assert len(tasks) == 1
    assert tasks[0].done()


def _counts(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from app.db import create_engine
    from tests.conftest import _run

    async def count() -> dict[str, int]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return {
                    table: (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                    for table in ("products", "customers", "stock_movements")
                }
        finally:
            await engine.dispose()

    return _run(count())
