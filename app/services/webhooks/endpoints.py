"""Creating, changing, rotating, enabling and disabling webhook endpoints.

The secret is write-once for the caller: answered when it is made (creation, rotation, a new
URL) and never again, and kept out of the audit trail. A secret never follows a changed URL:
a new URL gets a new secret at once (the old one stops signing), so a secret meant for one
receiver is never used for another."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.domain.events import Changed, WebhookEndpointDisabled
from app.domain.products import raise_for_issues
from app.domain.webhooks import filter_issues, new_secret
from app.repositories.base import snapshot
from app.repositories.webhooks import WebhookEndpoint
from app.services.bus import Context
from app.services.common import check_version
from app.services.unit_of_work import UnitOfWork
from app.services.webhooks.commands import (
    CreateWebhookEndpoint,
    DisableWebhookEndpoint,
    EnableWebhookEndpoint,
    RotateWebhookSecret,
    UpdateWebhookEndpoint,
)

ENTITY = "webhook_endpoint"


def image(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """The endpoint as audited: no secret."""
    return snapshot(endpoint, exclude=("secret", "previous_secret"))


def _record(
    uow: UnitOfWork, action: str, endpoint: WebhookEndpoint, actor: str, before: Any
) -> None:
    uow.record(
        Changed(
            actor=actor,
            entity_type=ENTITY,
            entity_id=endpoint.id,
            action=action,
            before=before,
            after=image(endpoint),
        )
    )


async def create_endpoint(
    cmd: CreateWebhookEndpoint, uow: UnitOfWork, ctx: Context
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret (the caller reads it once, from the row)."""
    raise_for_issues(filter_issues(cmd.event_types))
    await cmd.guard.check("url", cmd.url)
    async with uow:
        endpoint = WebhookEndpoint(
            url=cmd.url,
            description=cmd.description,
            event_types=list(cmd.event_types),
            active=True,
            secret=new_secret(),
            created_by=cmd.principal.actor,
            updated_by=cmd.principal.actor,
        )
        uow.webhook_endpoints.add(endpoint)
        await uow.flush()
        _record(uow, "created", endpoint, cmd.principal.actor, None)
        await uow.commit()
    return endpoint


async def update_endpoint(
    cmd: UpdateWebhookEndpoint, uow: UnitOfWork, ctx: Context
) -> tuple[WebhookEndpoint, str | None]:
    """Change the given fields; returns the endpoint and, when its URL changed, its new
    secret (answered once). A change that alters nothing writes nothing."""
    changes = dict(cmd.changes)
    if "event_types" in changes:
        raise_for_issues(filter_issues(changes["event_types"]))
    if "url" in changes:
        # Resolved before the transaction opens: a slow name server holds nothing.
        await cmd.guard.check("url", changes["url"])
    async with uow:
        endpoint = await uow.webhook_endpoints.get_or_raise(cmd.endpoint_id)
        check_version(endpoint, cmd.expected_version)
        before = image(endpoint)
        new: str | None = None
        if "url" in changes and changes["url"] != endpoint.url:
            new = new_secret()
            changes.update(secret=new, previous_secret=None, previous_secret_until=None)
        changed = [key for key, value in changes.items() if getattr(endpoint, key) != value]
        if changed:
            for key in changed:
                setattr(endpoint, key, changes[key])
            endpoint.updated_by = cmd.principal.actor
            if "active" in changed and endpoint.active:
                await _switched_on(uow, endpoint)
            await uow.flush()
            _record(uow, "updated", endpoint, cmd.principal.actor, before)
        await uow.commit()
    return endpoint, new


async def rotate_secret(cmd: RotateWebhookSecret, uow: UnitOfWork, ctx: Context) -> WebhookEndpoint:
    """A new secret; the one it replaces signs beside it until the overlap ends."""
    async with uow:
        endpoint = await uow.webhook_endpoints.get_for_update_or_raise(cmd.endpoint_id)
        before = image(endpoint)
        now = datetime.now(UTC)
        endpoint.previous_secret = endpoint.secret if cmd.overlap.total_seconds() > 0 else None
        endpoint.previous_secret_until = now + cmd.overlap if endpoint.previous_secret else None
        endpoint.secret = new_secret()
        endpoint.updated_by = cmd.principal.actor
        await uow.flush()
        _record(uow, "secret_rotated", endpoint, cmd.principal.actor, before)
        await uow.commit()
    return endpoint


async def enable_endpoint(
    cmd: EnableWebhookEndpoint, uow: UnitOfWork, ctx: Context
) -> WebhookEndpoint:
    """Switch an endpoint (back) on: its pending deliveries are due again at once."""
    async with uow:
        endpoint = await uow.webhook_endpoints.get_for_update_or_raise(cmd.endpoint_id)
        if not endpoint.active:
            before = image(endpoint)
            endpoint.active = True
            endpoint.updated_by = cmd.principal.actor
            await _switched_on(uow, endpoint)
            await uow.flush()
            _record(uow, "enabled", endpoint, cmd.principal.actor, before)
        await uow.commit()
    return endpoint


async def _switched_on(uow: UnitOfWork, endpoint: WebhookEndpoint) -> None:
    """An endpoint on again (``enable``, or ``active: true``) starts afresh: no longer
    disabled, no failing run, its pending deliveries due at once."""
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    endpoint.failing_since = None
    await uow.webhook_deliveries.due_now(endpoint.id, datetime.now(UTC))


async def disable_endpoint(cmd: DisableWebhookEndpoint, uow: UnitOfWork, ctx: Context) -> bool:
    """Switch an endpoint off and record ``endpoint.disabled`` (an alert follows); whether
    it was on (a second worker disabling it too records nothing)."""
    async with uow:
        endpoint = await uow.webhook_endpoints.get_for_update_or_raise(cmd.endpoint_id)
        if not endpoint.active:
            return False
        before = image(endpoint)
        endpoint.active = False
        endpoint.disabled_at = cmd.at
        endpoint.disabled_reason = cmd.reason[:200]
        endpoint.updated_by = cmd.principal.actor
        await uow.flush()
        uow.record(
            WebhookEndpointDisabled(
                actor=cmd.principal.actor,
                entity_id=endpoint.id,
                before=before,
                after=image(endpoint),
                payload={"id": str(endpoint.id), "url": endpoint.url, "reason": cmd.reason},
                url=endpoint.url,
                reason=cmd.reason,
            )
        )
        await uow.commit()
    return True
