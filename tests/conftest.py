"""Test fixtures: every integration test runs on SQLite and, when reachable, on PostgreSQL.

Each run creates its own databases (a SQLite file, a PostgreSQL database with a random name),
migrates them to head once, and drops them at the end. Each test runs inside an outer
transaction that is rolled back, with the application's sessions joining it by savepoints.
The application is built once per engine (``shared_app``) and lent to each test with that
test's sessionmaker (``app``); what a test changes on it is put back afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app import migrate
from app.db import create_engine
from app.main import create_app
from app.repositories.read_cache import ReadCache
from app.settings import Settings
from tests.support import Auth

PG_BASE_URL = os.environ.get(
    "LADING_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_admin_dsn() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(PG_BASE_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even when an event loop is running."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_dsn(), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def postgres_reachable() -> bool:
    try:
        _run(_pg_admin("SELECT 1"))
        return True
    except Exception:
        return False


_PG_OK: bool | None = None


def _require_postgres() -> None:
    global _PG_OK
    if _PG_OK is None:
        _PG_OK = postgres_reachable()
    if not _PG_OK:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unreachable at {PG_BASE_URL}", pytrace=False)
        pytest.skip("PostgreSQL is not reachable (set LADING_TEST_DATABASE_URL)")


def create_postgres_database(prefix: str = "lading_test") -> str:
    """Create a fresh PostgreSQL database and return its SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    _require_postgres()
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    _run(_pg_admin(f'CREATE DATABASE "{name}"'))
    return make_url(PG_BASE_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    _run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database for the whole run, on each engine."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "lading.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade(url)
        yield url
        return
    url = create_postgres_database()
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_postgres_database(url)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": secrets.token_urlsafe(40),
        "inprocess_dispatcher": False,
        "log_level": "WARNING",
        # Tests write master data straight into the database (factories): read it afresh.
        # The read cache's own tests give the app a cache of their own.
        "read_cache_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection per test, inside a transaction that is always rolled back."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture(scope="session")
def shared_app(settings: Settings) -> FastAPI:
    """The application, built once per engine for the whole run (its routes, middleware,
    error handlers and OpenAPI document are the same for every test). The ``app`` fixture
    lends it to one test at a time with that test's sessionmaker. A test that needs other
    settings builds its own with ``create_app(make_settings(...), sessionmaker=...)``."""
    return create_app(settings)


class LentApp:
    """What a test may change on the shared application, saved before it and put back after:
    the ``app.state`` entries (settings, bus, sessionmaker, carrier client, outbound guard,
    anything a test adds), the outbound guard's own attributes (tests replace its resolver),
    the routes (a test may add one), the dependency overrides and the OpenAPI cache."""

    def __init__(self, app: FastAPI) -> None:
        self.state = dict(app.state._state)
        self.guard = app.state.outbound_guard
        self.guard_attributes = dict(vars(self.guard))
        self.routes = list(app.router.routes)
        self.overrides = dict(app.dependency_overrides)

    def restore(self, app: FastAPI) -> None:
        app.state._state.clear()
        app.state._state.update(self.state)
        vars(self.guard).clear()
        vars(self.guard).update(self.guard_attributes)
        if app.router.routes != self.routes:
            app.router.routes[:] = self.routes
            app.openapi_schema = None
        app.dependency_overrides.clear()
        app.dependency_overrides.update(self.overrides)


@pytest.fixture
def app(shared_app: FastAPI, sessionmaker: async_sessionmaker[AsyncSession]) -> Iterator[FastAPI]:
    """The shared application on this test's rolled-back connection; whatever the test
    changes on it is undone afterwards (see :class:`LentApp`)."""
    lent = LentApp(shared_app)
    shared_app.state.sessionmaker = sessionmaker
    # Nothing read by one test is remembered for the next (each rolls its data back).
    shared_app.state.read_cache = ReadCache(shared_app.state.settings.read_cache_seconds)
    try:
        yield shared_app
    finally:
        lent.restore(shared_app)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def auth(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> Auth:
    """Headers for a caller of any role or scopes: ``await auth.as_role("admin")``."""
    return Auth(client, sessionmaker, settings)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def pg_committed_url() -> Iterator[str]:
    """A PostgreSQL database whose data is really committed, for concurrency tests with real
    parallel connections. Tests using it must create their own uniquely named rows."""
    url = create_postgres_database("lading_conc")
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
async def pg_engine(pg_committed_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the committed PostgreSQL database: up to 40 connections (the server allows
    100), so a burst of 100 requests queues for connections rather than being refused."""
    engine = create_engine(pg_committed_url, pool_size=20)
    yield engine
    await engine.dispose()


@pytest.fixture
def pg_app(pg_committed_url: str, pg_engine: AsyncEngine) -> Any:
    """The application on the committed PostgreSQL database (each request its own connection)."""
    from app.db import create_sessionmaker

    return create_app(make_settings(pg_committed_url), sessionmaker=create_sessionmaker(pg_engine))


@pytest.fixture
async def pg_client(pg_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=pg_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def pg_auth(pg_client: httpx.AsyncClient, pg_app: Any) -> Auth:
    return Auth(pg_client, pg_app.state.sessionmaker, pg_app.state.settings)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A brand-new database with no tables, on each engine (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    url = create_postgres_database("lading_empty")
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The contract tests (minutes each: schemathesis, the generated client) go first, so that
    with several pytest processes (pytest-xdist) they start at once on different processes
    instead of queueing at the end of one."""
    items.sort(key=lambda item: item.get_closest_marker("contract") is None)
