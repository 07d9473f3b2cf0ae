"""Authentication use cases: passwords, access tokens, integration API keys, users."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from app.domain.auth import API_KEY_SCOPES, ORDERS_PAYMENT, Principal, Role, scopes_for_roles
from app.domain.errors import (
    DuplicateKey,
    NotAuthenticated,
    NotFound,
    Violations,
)
from app.domain.login_throttle import FailureCounter
from app.repositories.pagination import PageResult
from app.repositories.users import ApiKey, User
from app.services.auth import throttle as throttle
from app.services.auth.passwords import (
    DUMMY_HASH,
    hash_off_loop,
    hash_password,
    verify_off_loop,
)
from app.services.auth.throttle import LoginAttempt, LoginPolicies
from app.services.recording import record_change, snapshot
from app.services.unit_of_work import UnitOfWork

__all__ = ["LoginAttempt", "LoginPolicies", "hash_password"]

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


async def login(uow: UnitOfWork, attempt: LoginAttempt, policies: LoginPolicies) -> User:
    """Check a user name and password. A locked user name or client address is refused before
    the password is looked at; a failure is counted (and committed) before it is answered."""
    async with uow:
        user = await uow.users.get_by_username(attempt.username)
        counter = await throttle.refuse_if_locked(uow, attempt)
    # An unknown user costs a real argon2 check too, so timing does not tell who exists.
    ok = await verify_off_loop(user.password_hash if user else DUMMY_HASH, attempt.password)
    if user is None or not ok or not user.active:
        await throttle.record_failure(uow, attempt, policies)
        raise NotAuthenticated("Unknown user name or wrong password.")
    if counter != FailureCounter():
        await throttle.forget_failures(uow, attempt.username)
    return user


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
    async with uow:
        api_key = await uow.api_keys.get_active_by_hash(digest_api_key(key))
    if api_key is None:
        raise NotAuthenticated("The API key is invalid or has been revoked.")
    return Principal(
        subject_id=str(api_key.id),
        name=api_key.name,
        kind="api_key",
        roles=(),
        scopes=frozenset(api_key.scopes),
        channel=api_key.channel,
    )


def _check_roles(roles: list[str], violations: Violations) -> None:
    if not roles:
        violations.add("roles", "min_items", "At least one role is required.")
    for i, role in enumerate(roles):
        if role not in {r.value for r in Role}:
            violations.add(f"roles.{i}", "enum", f"Unknown role '{role}'.")


async def create_user(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    roles: list[str],
    full_name: str = "",
    actor: str,
) -> User:
    violations = Violations()
    _check_roles(roles, violations)
    if len(password) < 8:
        violations.add("password", "min_length", "A password has at least 8 characters.")
    violations.raise_if_any()
    password_hash = await hash_off_loop(password)
    async with uow:
        if await uow.users.get_by_username(username):
            raise DuplicateKey(f"A user named '{username}' already exists.")
        user = User(
            username=username,
            full_name=full_name,
            password_hash=password_hash,
            roles=sorted(set(roles)),
            active=True,
        )
        uow.users.add(user)
        await uow.flush()
        after = snapshot(user, exclude={"password_hash"})
        record_change(uow, actor, "user", user.id, "created", None, after, event="user.created")
        await uow.commit()
    return user


@dataclass(frozen=True)
class CreatedApiKey:
    record: ApiKey
    secret: str


async def create_api_key(
    uow: UnitOfWork,
    *,
    name: str,
    scopes: list[str],
    principal: Principal,
    channel: str | None = None,
) -> CreatedApiKey:
    violations = Violations()
    if ORDERS_PAYMENT in scopes and channel is None:
        violations.add(
            "channel",
            "required",
            "A key that reports payments is bound to the channel whose orders it reports for.",
        )
    if not scopes:
        violations.add("scopes", "min_items", "An API key needs at least one scope.")
    for i, scope in enumerate(scopes):
        if scope not in API_KEY_SCOPES:
            violations.add(f"scopes.{i}", "enum", f"Unknown scope '{scope}'.")
    violations.raise_if_any()
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    async with uow:
        record = ApiKey(
            name=name,
            prefix=secret[:12],
            key_hash=digest_api_key(secret),
            scopes=sorted(set(scopes)),
            channel=channel,
            created_by=uuid.UUID(principal.subject_id),
        )
        uow.api_keys.add(record)
        await uow.flush()
        after = snapshot(record, exclude={"key_hash"})
        record_change(
            uow,
            principal.actor,
            "api_key",
            record.id,
            "created",
            None,
            after,
            event="api_key.created",
        )
        await uow.commit()
    return CreatedApiKey(record, secret)


async def list_api_keys(uow: UnitOfWork, *, limit: int, cursor: str | None) -> PageResult[ApiKey]:
    async with uow:
        return await uow.api_keys.page(limit=limit, cursor=cursor)


async def revoke_api_key(uow: UnitOfWork, key_id: uuid.UUID, *, principal: Principal) -> ApiKey:
    async with uow:
        record = await uow.api_keys.get(key_id)
        if record is None:
            raise NotFound(f"No API key with id {key_id}.")
        if record.revoked_at is not None:
            return record
        before = snapshot(record, exclude={"key_hash"})
        record.revoked_at = datetime.now(UTC)
        record_change(
            uow,
            principal.actor,
            "api_key",
            record.id,
            "revoked",
            before,
            snapshot(record, exclude={"key_hash"}),
            event="api_key.revoked",
        )
        await uow.commit()
    return record
