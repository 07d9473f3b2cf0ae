"""Signing in: a user name and password for an access token."""

from __future__ import annotations

from app.domain.errors import NotAuthenticated
from app.domain.login_throttle import FailureCounter
from app.repositories.users import User
from app.services.auth import throttle
from app.services.auth.commands import IssueToken
from app.services.auth.passwords import DUMMY_HASH, verify_off_loop
from app.services.auth.throttle import LoginAttempt, LoginPolicies
from app.services.auth.tokens import IssuedToken, issue_token
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


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


async def issue_access_token(cmd: IssueToken, uow: UnitOfWork, ctx: Context) -> IssuedToken:
    """Sign in and issue a short-lived bearer token (JWT)."""
    settings = ctx.settings
    attempt = LoginAttempt(cmd.username, cmd.password, cmd.client_address)
    user = await login(uow, attempt, LoginPolicies.from_settings(settings))
    return issue_token(
        user,
        secret=settings.secret_key.get_secret_value(),
        minutes=settings.access_token_minutes,
    )
