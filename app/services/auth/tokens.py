"""Access tokens (JWT) and API keys: issuing a token, and who a credential belongs to."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from app.domain.auth import Principal, scopes_for_roles
from app.domain.errors import NotAuthenticated
from app.repositories.users import User
from app.services.unit_of_work import UnitOfWork

API_KEY_PREFIX = "lad_"
JWT_ALGORITHM = "HS256"


def digest_api_key(key: str) -> str:
    """API keys are long random secrets, so a fast digest is enough (and keeps requests fast)."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


def issue_token(user: User, *, secret: str, minutes: int) -> IssuedToken:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "name": user.username,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "jti": uuid.uuid4().hex,
    }
    return IssuedToken(jwt.encode(claims, secret, algorithm=JWT_ALGORITHM), minutes * 60)


def principal_for_user(user: User) -> Principal:
    return Principal(
        subject_id=str(user.id),
        name=user.username,
        kind="user",
        roles=tuple(user.roles),
        scopes=scopes_for_roles(user.roles),
    )


async def authenticate_bearer(uow: UnitOfWork, token: str, *, secret: str) -> Principal:
    """A bearer credential is either a JWT from the token endpoint or an API key."""
    if token.startswith(API_KEY_PREFIX):
        return await authenticate_api_key(uow, token)
    try:
        claims = jwt.decode(token, secret, algorithms=[JWT_ALGORITHM], options={"require": ["exp"]})
        user_id = uuid.UUID(str(claims["sub"]))
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise NotAuthenticated("The access token is invalid or has expired.") from exc
    async with uow:
        user = await uow.users.get(user_id)
    if user is None or not user.active:
        raise NotAuthenticated("The access token's user no longer exists or is inactive.")
    return principal_for_user(user)


async def authenticate_api_key(uow: UnitOfWork, key: str) -> Principal:
    """The key's holder. A verified key is kept briefly in the process, by its digest: a
    revocation made in another process applies within LADING_READ_CACHE_SECONDS (at once in
    this one); an unknown or revoked key is never kept."""
    digest = digest_api_key(key)
    async with uow:
        principal = await uow.cached("api_key", digest, lambda: _key_holder(uow, digest))
    if principal is None:
        raise NotAuthenticated("The API key is invalid or has been revoked.")
    return principal


async def _key_holder(uow: UnitOfWork, digest: str) -> Principal | None:
    api_key = await uow.api_keys.get_active_by_hash(digest)
    if api_key is None:
        return None
    return Principal(
        subject_id=str(api_key.id),
        name=api_key.name,
        kind="api_key",
        roles=(),
        scopes=frozenset(api_key.scopes),
        channel=api_key.channel,
    )
