"""Helpers shared by tests: callers with roles or scopes, problem assertions."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.repositories.users import User
from app.services.auth.commands import CreateApiKey
from app.services.auth.passwords import hash_password
from app.services.auth.tokens import issue_token, principal_for_user
from app.settings import Settings

PASSWORD = "correct horse battery staple"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """Hashing is deliberately slow; tests hash the shared password once."""
    return hash_password(PASSWORD)


class Auth:
    def __init__(
        self,
        client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        self.client = client
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.users: dict[str, User] = {}

    async def user(self, *roles: str, username: str | None = None) -> User:
        key = username or "+".join(roles)
        if key in self.users:
            return self.users[key]
        async with self.sessionmaker() as session:
            user = User(
                username=username or f"{'-'.join(roles)}-{uuid.uuid4().hex[:6]}",
                full_name="",
                password_hash=password_hash(),
                roles=list(roles),
                active=True,
            )
            session.add(user)
            await session.commit()
        self.users[key] = user
        return user

    async def as_role(self, *roles: str) -> dict[str, str]:
        """Authorization headers of a user with these roles (created on first use)."""
        user = await self.user(*roles)
        token = issue_token(
            user, secret=self.settings.secret_key.get_secret_value(), minutes=5
        ).access_token
        return {"Authorization": f"Bearer {token}"}

    async def with_scopes(self, *scopes: str, channel: str | None = None) -> dict[str, str]:
        """``X-API-Key`` headers of a new integration key holding these scopes (and bound to
        ``channel``: a key reports payments only for orders of its own channel)."""
        from app.bootstrap import build_bus
        from app.repositories.uow import SqlAlchemyUnitOfWork

        admin = await self.user("admin")
        bus = build_bus(self.settings)
        command = CreateApiKey(
            principal=principal_for_user(admin),
            name=f"key-{uuid.uuid4().hex[:6]}",
            scopes=list(scopes),
            channel=channel,
        )
        created = await bus.handle(command, SqlAlchemyUnitOfWork(self.sessionmaker, bus))
        return {"X-API-Key": created.secret}


def assert_problem(
    response: httpx.Response, status: int, *, code: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """The response is a problem+json with this status (and code, and an error on field)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        fields = [e["field"] for e in body.get("errors") or []]
        assert any(f == field or f.endswith("." + field) for f in fields), (field, body)
    return body


@asynccontextmanager
async def served_on_loopback(app: Any) -> AsyncIterator[str]:
    """``app`` served by uvicorn on a free 127.0.0.1 port (its base URL), stopped afterwards."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(5):
            while not server.started:
                assert not task.done(), "uvicorn stopped before it started"
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        async with asyncio.timeout(10):
            await task
        sock.close()
