"""Password guessing: failed sign-ins lock a user name or a client address (429, Retry-After),
counted in the database; argon2 runs off the event loop."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from app.db import create_sessionmaker
from app.main import create_app
from app.repositories.login_throttle import LoginFailure, LoginThrottleRepository
from app.services.auth import passwords
from tests.conftest import make_settings
from tests.support import PASSWORD, Auth, assert_problem

TOKEN = "/api/v1/auth/token"
Clients = Callable[..., Any]


@pytest.fixture
def throttled_app(database_url: str, sessionmaker: Any) -> Any:
    """The app with small limits: 3 failures per user name, 5 per address, 60 s lockout."""
    settings = make_settings(
        database_url,
        login_max_failures=3,
        login_max_failures_per_address=5,
        login_lockout_seconds=60,
    )
    return create_app(settings, sessionmaker=sessionmaker)


def clients_for(app: Any) -> Clients:
    @asynccontextmanager
    async def client_from(address: str = "10.0.0.9") -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(
            app=app, raise_app_exceptions=False, client=(address, 40000)
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c

    return client_from


@pytest.fixture
def client_from(throttled_app: Any) -> Clients:
    """``async with client_from("10.0.0.9") as c``: a client calling from that address."""
    return clients_for(throttled_app)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password})


def assert_locked(response: httpx.Response) -> int:
    assert_problem(response, 429, code="too_many_attempts")
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= 60
    return seconds


async def test_wrong_passwords_then_429_with_retry_after(client_from: Clients, auth: Auth) -> None:
    user = await auth.user("sales")
    async with client_from() as client:
        for _ in range(3):
            assert_problem(await sign_in(client, user.username, "wrong"), 401)
        assert_locked(await sign_in(client, user.username, "wrong"))


async def test_the_right_password_while_locked_is_429_without_checking_it(
    client_from: Clients, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await auth.user("sales")
    async with client_from() as client:
        for _ in range(3):
            await sign_in(client, user.username, "wrong")
        checked: list[str] = []
        real_verify = passwords.verify_password
        monkeypatch.setattr(
            passwords, "verify_password", lambda h, p: checked.append(p) or real_verify(h, p)
        )
        assert_locked(await sign_in(client, user.username, PASSWORD))
        assert checked == []


async def test_an_unknown_user_name_is_locked_the_same_way(
    client_from: Clients, auth: Auth
) -> None:
    known = await auth.user("sales")
    async with client_from("10.0.0.1") as one, client_from("10.0.0.2") as other:
        answers = {}
        for name, client in ((known.username, one), (f"nobody-{uuid.uuid4().hex[:6]}", other)):
            for _ in range(3):
                assert_problem(await sign_in(client, name, "wrong"), 401)
            response = await sign_in(client, name, "wrong")
            assert_locked(response)
            answers[name] = {k: v for k, v in response.json().items() if k != "request_id"}
    assert len({str(sorted(a.items())) for a in answers.values()}) == 1


async def test_a_user_name_is_locked_whatever_the_address(client_from: Clients, auth: Auth) -> None:
    user = await auth.user("sales")
    for i in range(3):
        async with client_from(f"10.0.1.{i}") as client:
            assert_problem(await sign_in(client, user.username, "wrong"), 401)
    async with client_from("10.0.1.99") as client:
        assert_locked(await sign_in(client, user.username, PASSWORD))


async def test_failures_are_counted_per_client_address(client_from: Clients, auth: Auth) -> None:
    user = await auth.user("sales")
    async with client_from("10.0.0.9") as guesser:
        for i in range(5):
            assert_problem(await sign_in(guesser, f"guess-{i}", "wrong"), 401)
        # The address is locked for every user name, even a right password.
        assert_locked(await sign_in(guesser, user.username, PASSWORD))
    async with client_from("10.0.0.10") as colleague:
        assert (await sign_in(colleague, user.username, PASSWORD)).status_code == 200


async def test_a_successful_sign_in_resets_the_user_names_count(
    client_from: Clients, auth: Auth
) -> None:
    user = await auth.user("sales")
    async with client_from() as client:
        for _ in range(2):
            assert_problem(await sign_in(client, user.username, "wrong"), 401)
        assert (await sign_in(client, user.username, PASSWORD)).status_code == 200
        for _ in range(2):
            assert_problem(await sign_in(client, user.username, "wrong"), 401)
        assert (await sign_in(client, user.username, PASSWORD)).status_code == 200


async def test_sign_in_works_again_once_the_lock_has_passed(
    client_from: Clients, auth: Auth, sessionmaker: Any
) -> None:
    import datetime as dt

    user = await auth.user("sales")
    async with client_from() as client:
        for _ in range(4):
            await sign_in(client, user.username, "wrong")
        async with sessionmaker() as session:
            locked = (await session.scalars(select(LoginFailure))).all()
            assert [r.lockouts for r in locked if r.kind == "user"] == [1]
            past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            await session.execute(update(LoginFailure).values(locked_until=past))
            await session.commit()
        assert (await sign_in(client, user.username, PASSWORD)).status_code == 200


async def test_existing_defaults_allow_a_few_typos(client: httpx.AsyncClient, auth: Auth) -> None:
    user = await auth.user("sales")
    for _ in range(4):
        assert_problem(await sign_in(client, user.username, "typo"), 401)
    assert (await sign_in(client, user.username, PASSWORD)).status_code == 200


def record_threads(monkeypatch: pytest.MonkeyPatch, name: str) -> list[threading.Thread]:
    threads: list[threading.Thread] = []
    real = getattr(passwords, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(passwords, name, recording)
    return threads


@pytest.mark.parametrize("known", [True, False])
async def test_password_checks_run_off_the_event_loop(
    client: httpx.AsyncClient, auth: Auth, monkeypatch: pytest.MonkeyPatch, known: bool
) -> None:
    user = await auth.user("sales")
    threads = record_threads(monkeypatch, "verify_password")
    name = user.username if known else "nobody-at-all"
    await sign_in(client, name, PASSWORD if known else "x")
    assert len(threads) == 1
    assert threads[0] is not threading.current_thread()
    assert threads[0].name.startswith("lading-password")


async def test_creating_a_user_hashes_off_the_event_loop(
    client: httpx.AsyncClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await auth.as_role("admin")
    threads = record_threads(monkeypatch, "hash_password")
    response = await client.post(
        "/api/v1/users",
        json={"username": "new.user", "password": "long-enough", "roles": ["viewer"]},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert len(threads) == 1 and threads[0] is not threading.current_thread()


async def test_concurrent_wrong_passwords_from_many_connections_are_all_counted(
    pg_committed_url: str, pg_engine: Any, pg_auth: Auth
) -> None:
    """Eight guesses at once, each on its own PostgreSQL connection: all eight are counted,
    so the limit of eight is reached and the ninth is refused (lost updates would leave it
    unlocked)."""
    settings = make_settings(pg_committed_url, login_max_failures=8)
    sessions = create_sessionmaker(pg_engine)
    app = create_app(settings, sessionmaker=sessions)
    user = await pg_auth.user("sales")
    client_from = clients_for(app)

    async def guess(i: int) -> int:
        async with client_from(f"10.9.{i}.1") as client:
            return (await sign_in(client, user.username, f"wrong-{i}")).status_code

    assert await asyncio.gather(*(guess(i) for i in range(8))) == [401] * 8
    async with client_from("10.9.99.1") as client:
        assert_locked(await sign_in(client, user.username, PASSWORD))
    async with sessions() as session:
        counter = await LoginThrottleRepository(session).get("user", user.username)
    assert counter.lockouts == 1 and counter.locked_until is not None


async def test_the_worker_purges_counters_that_no_longer_matter(
    client_from: Clients, auth: Auth, sessionmaker: Any
) -> None:
    import datetime as dt

    from app.worker.housekeeping import purge_login_failures

    user = await auth.user("sales")
    async with client_from("10.0.5.1") as client:
        for _ in range(3):
            await sign_in(client, user.username, "wrong")
    window = dt.timedelta(minutes=15)
    assert await purge_login_failures(sessionmaker, window=window) == 0  # locked, fresh window
    async with sessionmaker() as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        await session.execute(
            update(LoginFailure).values(window_started_at=long_ago, locked_until=long_ago)
        )
        await session.commit()
    assert await purge_login_failures(sessionmaker, window=window) == 2
    async with sessionmaker() as session:
        assert (await session.scalars(select(LoginFailure))).all() == []
