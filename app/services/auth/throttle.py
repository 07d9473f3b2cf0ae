"""Counting failed sign-ins per user name and per client address, in the database.

Each step is its own short transaction: the check before the password is looked at, and the
failure, which is committed even though the sign-in then fails. The counters are rows every
process shares, so more API processes do not mean more guesses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.domain.errors import TooManyAttempts
from app.domain.login_throttle import FailureCounter, ThrottlePolicy, after_failure, retry_after
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

log = logging.getLogger(__name__)

USER = "user"
ADDRESS = "address"


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    password: str
    client_address: str


@dataclass(frozen=True)
class LoginPolicies:
    user: ThrottlePolicy
    address: ThrottlePolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicies:
        def policy(max_failures: int) -> ThrottlePolicy:
            return ThrottlePolicy(
                max_failures=max_failures,
                window=timedelta(seconds=settings.login_failure_window_seconds),
                lockout=timedelta(seconds=settings.login_lockout_seconds),
                max_lockout=timedelta(seconds=settings.login_lockout_max_seconds),
            )

        return cls(
            policy(settings.login_max_failures), policy(settings.login_max_failures_per_address)
        )


def _keys(attempt: LoginAttempt, policies: LoginPolicies) -> list[tuple[str, str, ThrottlePolicy]]:
    # Always the user name first, then the address: concurrent failures lock rows in one order.
    return [
        (USER, attempt.username, policies.user),
        (ADDRESS, attempt.client_address, policies.address),
    ]


async def refuse_if_locked(uow: UnitOfWork, attempt: LoginAttempt) -> FailureCounter:
    """Raise ``TooManyAttempts`` when the user name or the address is locked (whether or not
    the user exists); otherwise return the user name's counter. Runs in the caller's unit of
    work."""
    now = datetime.now(UTC)
    user_counter = await uow.login_throttle.get(USER, attempt.username)
    address_counter = await uow.login_throttle.get(ADDRESS, attempt.client_address)
    waits = [w for w in (retry_after(user_counter, now), retry_after(address_counter, now)) if w]
    if waits:
        raise TooManyAttempts(
            f"Too many failed sign-ins; try again in {max(waits)} seconds.",
            retry_after=max(waits),
        )
    return user_counter


@retrying
async def record_failure(uow: UnitOfWork, attempt: LoginAttempt, policies: LoginPolicies) -> None:
    """Count one failed sign-in for the user name and the address, and commit it."""
    async with uow:
        now = datetime.now(UTC)
        for kind, key, policy in _keys(attempt, policies):
            before = await uow.login_throttle.lock(kind, key)
            after = after_failure(before, now, policy)
            await uow.login_throttle.save(kind, key, after)
            if after.locked_until is not None and after.locked_until != before.locked_until:
                log.warning(
                    "auth.locked",
                    extra={"kind": kind, "locked_until": after.locked_until.isoformat()},
                )
        await uow.commit()


@retrying
async def forget_failures(uow: UnitOfWork, username: str) -> None:
    """A successful sign-in clears the user name's failures (not the address's: one account an
    attacker owns must not reset the count of guesses at others from the same address)."""
    async with uow:
        await uow.login_throttle.reset(USER, username)
        await uow.commit()
