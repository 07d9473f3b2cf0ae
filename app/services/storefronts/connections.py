"""Creating and changing a storefront connection (admin only, checked by the router's scope).

The webhook secret and the API credentials are write-only: stored, never returned, audited as
``has_*`` flags. The base URL passes the outbound URL rule when it is saved, and a changed base
URL drops the stored API credentials and webhook secret unless new ones come in the same
request — a shop's secrets never follow a changed endpoint (as carriers' do not)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import DuplicateKey, UnknownReference
from app.domain.events import StorefrontConnectionCreated, StorefrontConnectionUpdated
from app.domain.products import raise_for_issues
from app.domain.storefronts.connections import connection_issues
from app.repositories.base import snapshot
from app.repositories.storefronts import SECRET_COLUMNS, StorefrontConnection
from app.services.bus import Context
from app.services.common import check_version
from app.services.storefronts.commands import (
    CreateStorefrontConnection,
    UpdateStorefrontConnection,
)
from app.services.unit_of_work import UnitOfWork


def image(connection: StorefrontConnection) -> dict[str, Any]:
    """The audit/outbox image: every column but the secrets, and whether they are there."""
    return {
        **snapshot(connection, exclude=SECRET_COLUMNS),
        "has_webhook_secret": connection.has_webhook_secret,
        "has_api_credentials": connection.has_api_credentials,
    }


async def create_connection(
    cmd: CreateStorefrontConnection, uow: UnitOfWork, ctx: Context
) -> StorefrontConnection:
    values = dict(cmd.columns)
    raise_for_issues(connection_issues(values))
    await cmd.guard.check("base_url", values["base_url"])
    async with uow:
        if await uow.storefronts.get_by_code(values["code"]):
            raise DuplicateKey(f"A storefront connection '{values['code']}' already exists.")
        await _check_references(uow, values)
        connection = StorefrontConnection(id=uuid.uuid4(), version=1, **values)
        uow.storefronts.add(connection)
        await uow.flush()
        await uow.storefronts.replace_skus(connection.id, cmd.skus)
        uow.record(
            StorefrontConnectionCreated(
                actor=cmd.principal.actor, entity_id=connection.id, after=image(connection)
            )
        )
        await uow.commit()
    return connection


async def update_connection(
    cmd: UpdateStorefrontConnection, uow: UnitOfWork, ctx: Context
) -> StorefrontConnection:
    changes = dict(cmd.changes)
    if changes.get("base_url") is not None:
        # Resolved before the transaction opens: a slow name server holds nothing.
        await cmd.guard.check("base_url", changes["base_url"])
    async with uow:
        connection = await uow.storefronts.get_or_raise(cmd.connection_id)
        check_version(connection, cmd.expected_version)
        if "base_url" in changes and changes["base_url"] != connection.base_url:
            for column in SECRET_COLUMNS:
                changes.setdefault(column, None)
        merged = {c.key: getattr(connection, c.key) for c in StorefrontConnection.__table__.c}
        merged.update(changes)
        raise_for_issues(connection_issues(merged))
        await _check_references(uow, changes)
        before = image(connection)
        changed = _apply(connection, changes)
        if cmd.skus is not None:
            await uow.storefronts.replace_skus(connection.id, cmd.skus)
            connection.updated_at = datetime.now(UTC)  # a new mapping is a new version
            changed = True
        if changed:
            await uow.flush()
            uow.record(
                StorefrontConnectionUpdated(
                    actor=cmd.principal.actor,
                    entity_id=connection.id,
                    before=before,
                    after=image(connection),
                )
            )
        await uow.commit()
    return connection


async def _check_references(uow: UnitOfWork, values: Mapping[str, Any]) -> None:
    """The account customer and the warehouses named exist."""
    customer_id = values.get("account_customer_id")
    if customer_id is not None and await uow.customers.get(customer_id) is None:
        raise UnknownReference.on("account_customer_id", "exists", "No such customer.")
    for i, warehouse_id in enumerate(values.get("warehouse_ids") or []):
        if await uow.warehouses.get(uuid.UUID(warehouse_id)) is None:
            raise UnknownReference.on(f"warehouse_ids.{i}", "exists", "No such warehouse.")


def _apply(connection: StorefrontConnection, changes: Mapping[str, Any]) -> bool:
    changed = False
    for key, value in changes.items():
        if getattr(connection, key) != value:
            setattr(connection, key, value)
            changed = True
    return changed
