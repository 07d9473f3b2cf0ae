"""Creating users."""

from __future__ import annotations

from app.domain.auth import Role
from app.domain.errors import DuplicateKey, Violations
from app.domain.events import UserCreated
from app.repositories.base import snapshot
from app.repositories.users import User
from app.services.auth.commands import CreateUser
from app.services.auth.passwords import hash_off_loop
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


def _check(cmd: CreateUser) -> None:
    violations = Violations()
    if not cmd.roles:
        violations.add("roles", "min_items", "At least one role is required.")
    for i, role in enumerate(cmd.roles):
        if role not in {r.value for r in Role}:
            violations.add(f"roles.{i}", "enum", f"Unknown role '{role}'.")
    if len(cmd.password) < 8:
        violations.add("password", "min_length", "A password has at least 8 characters.")
    violations.raise_if_any()


async def create_user(cmd: CreateUser, uow: UnitOfWork, ctx: Context) -> User:
    _check(cmd)
    password_hash = await hash_off_loop(cmd.password)
    async with uow:
        if await uow.users.get_by_username(cmd.username):
            raise DuplicateKey(f"A user named '{cmd.username}' already exists.")
        user = User(
            username=cmd.username,
            full_name=cmd.full_name,
            password_hash=password_hash,
            roles=sorted(set(cmd.roles)),
            active=True,
        )
        uow.users.add(user)
        await uow.flush()
        after = snapshot(user, exclude={"password_hash"})
        uow.record(UserCreated(actor=cmd.actor, entity_id=user.id, after=after))
        await uow.commit()
    return user
