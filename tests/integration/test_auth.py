"""Sign-in, tokens, API keys, 401 and 403."""

from __future__ import annotations

import httpx
import pytest

from tests.support import PASSWORD, assert_problem


async def test_password_flow_issues_a_token_that_works(client: httpx.AsyncClient, auth) -> None:
    user = await auth.user("sales")
    response = await client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 15 * 60
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["name"] == user.username
    assert me.json()["roles"] == ["sales"]
    assert "orders:write" in me.json()["scopes"]


@pytest.mark.parametrize("password", ["wrong password", ""])
async def test_wrong_password_is_401(client: httpx.AsyncClient, auth, password: str) -> None:
    user = await auth.user("sales")
    response = await client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": password}
    )
    assert response.status_code in (401, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_unknown_user_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/token", data={"username": "nobody", "password": "whatever1"}
    )
    assert_problem(response, 401, code="not_authenticated")


async def test_inactive_user_cannot_sign_in(client, auth, sessionmaker) -> None:
    user = await auth.user("sales")
    async with sessionmaker() as session:
        row = await session.merge(user)
        row.active = False
        await session.commit()
    response = await client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}
    )
    assert_problem(response, 401)


async def test_missing_credentials_are_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")
    assert_problem(response, 401, code="not_authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Bearer lad_not-a-real-key"},
        {"X-API-Key": "lad_not-a-real-key"},
    ],
)
async def test_bad_credentials_are_401(client: httpx.AsyncClient, headers) -> None:
    assert_problem(await client.get("/api/v1/me", headers=headers), 401)


async def test_expired_token_is_401(client: httpx.AsyncClient, auth, settings) -> None:
    import datetime as dt

    import jwt

    user = await auth.user("viewer")
    token = jwt.encode(
        {"sub": str(user.id), "exp": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)},
        settings.secret_key.get_secret_value(),
        algorithm="HS256",
    )
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401)


async def test_admin_creates_scoped_api_key_shown_once(client: httpx.AsyncClient, auth) -> None:
    admin = await auth.as_role("admin")
    response = await client.post(
        "/api/v1/api-keys",
        json={"name": "storefront", "scopes": ["orders:write", "stock:read"]},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["key"].startswith("lad_") and len(created["key"]) > 40
    me = await client.get("/api/v1/me", headers={"X-API-Key": created["key"]})
    assert me.status_code == 200
    assert me.json()["kind"] == "api_key"
    assert me.json()["scopes"] == ["orders:write", "stock:read"]
    # Also accepted as a bearer token.
    bearer = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {created['key']}"})
    assert bearer.status_code == 200
    listed = await client.get("/api/v1/api-keys", headers=admin)
    assert listed.status_code == 200
    assert all("key" not in k and "key_hash" not in k for k in listed.json()["items"])
    assert created["id"] in [k["id"] for k in listed.json()["items"]]


async def test_api_key_is_stored_as_sha256_digest(client, auth, sessionmaker) -> None:
    import hashlib

    from sqlalchemy import select

    from app.repositories.users import ApiKey

    headers = await auth.with_scopes("stock:read")
    key = headers["X-API-Key"]
    async with sessionmaker() as session:
        stored = (await session.scalars(select(ApiKey))).all()
    assert hashlib.sha256(key.encode()).hexdigest() in [k.key_hash for k in stored]
    assert key not in [k.key_hash for k in stored]


async def test_revoked_api_key_is_refused(client: httpx.AsyncClient, auth) -> None:
    admin = await auth.as_role("admin")
    created = (
        await client.post(
            "/api/v1/api-keys", json={"name": "tmp", "scopes": ["stock:read"]}, headers=admin
        )
    ).json()
    revoked = await client.post(f"/api/v1/api-keys/{created['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_problem(await client.get("/api/v1/me", headers={"X-API-Key": created["key"]}), 401)


async def test_unknown_scope_is_422(client: httpx.AsyncClient, auth) -> None:
    admin = await auth.as_role("admin")
    response = await client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["everything"]}, headers=admin
    )
    assert_problem(response, 422, field="scopes.0")


async def test_non_admin_cannot_create_keys_and_nothing_changes(client, auth) -> None:
    sales = await auth.as_role("sales")
    response = await client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["stock:read"]}, headers=sales
    )
    assert_problem(response, 403, code="permission_denied")
    listed = await client.get("/api/v1/api-keys", headers=await auth.as_role("admin"))
    assert [k for k in listed.json()["items"] if k["name"] == "x"] == []


async def test_admin_creates_user_who_can_sign_in(client: httpx.AsyncClient, auth) -> None:
    admin = await auth.as_role("admin")
    response = await client.post(
        "/api/v1/users",
        json={
            "username": "li.wei",
            "password": "s3cret-pass",
            "roles": ["warehouse"],
            "full_name": "李伟",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == "李伟"
    assert "password" not in response.text
    token = await client.post(
        "/api/v1/auth/token", data={"username": "li.wei", "password": "s3cret-pass"}
    )
    assert token.status_code == 200
    duplicate = await client.post(
        "/api/v1/users",
        json={"username": "li.wei", "password": "s3cret-pass", "roles": ["warehouse"]},
        headers=admin,
    )
    assert_problem(duplicate, 409, code="duplicate")


async def test_unknown_role_is_422(client: httpx.AsyncClient, auth) -> None:
    response = await client.post(
        "/api/v1/users",
        json={"username": "x1", "password": "long-enough", "roles": ["king"]},
        headers=await auth.as_role("admin"),
    )
    assert_problem(response, 422, field="roles.0")
