"""Creating and changing a carrier.

Credentials are write-only: they are stored, but neither returned nor written to the audit
trail or the outbox (those images carry ``has_credentials`` instead). An endpoint must pass
the outbound URL rule (``app.domain.outbound_urls``) when it is saved; changing it needs the
admin scope and drops the stored credentials unless new ones come with it, so that a carrier's
API key is never sent to a host its owner did not give it for."""

from __future__ import annotations

from typing import Any

from app.adapters.carriers.registry import accepts_webhooks
from app.domain.carrier_links import ENDPOINT_SCOPE
from app.domain.carrier_selection import carrier_issues
from app.domain.errors import DuplicateKey, FieldIssue
from app.domain.events import CarrierCreated, CarrierUpdated
from app.domain.products import raise_for_issues
from app.repositories.carriers import Carrier
from app.services.bus import Context
from app.services.common import check_version
from app.services.shipments.carriers.commands import CreateCarrier, UpdateCarrier
from app.services.shipments.carriers.terms import (
    check_connection,
    image,
    term_columns,
    terms_of,
    webhooks_issues,
)
from app.services.unit_of_work import UnitOfWork


async def create_carrier(cmd: CreateCarrier, uow: UnitOfWork, ctx: Context) -> Carrier:
    """A new carrier; ``webhooks`` left out means "whenever its adapter takes webhooks"."""
    values = dict(cmd.columns)
    if values.get("webhooks") is None:
        values["webhooks"] = accepts_webhooks(values["adapter_kind"])
    raise_for_issues(
        carrier_issues(terms_of({"active": True, "surcharges": {}, **values}))
        + webhooks_issues(values["adapter_kind"], values["webhooks"])
    )
    if values.get("endpoint") is not None:
        await cmd.guard.check("endpoint", values["endpoint"])
    check_connection(values["adapter_kind"], values.get("endpoint"), values.get("credentials"))
    async with uow:
        if await uow.carriers.get_by_code(values["code"]):
            raise DuplicateKey(f"A carrier with code '{values['code']}' already exists.")
        carrier = Carrier(**values)
        uow.carriers.add(carrier)
        await uow.flush()
        uow.record(
            CarrierCreated(actor=cmd.principal.actor, entity_id=carrier.id, after=image(carrier))
        )
        await uow.commit()
    return carrier


async def update_carrier(cmd: UpdateCarrier, uow: UnitOfWork, ctx: Context) -> Carrier:
    """Change the given fields; the merged carrier must still satisfy the master-data rules.
    A new endpoint needs the admin scope and, unless credentials come with it, removes the
    stored ones. A change that alters nothing writes nothing and keeps the version."""
    changes = dict(cmd.changes)
    if changes.get("endpoint") is not None:
        # Resolved before the transaction opens: a slow name server holds nothing.
        await cmd.guard.check("endpoint", changes["endpoint"])
    async with uow:
        carrier = await uow.carriers.get_or_raise(cmd.carrier_id)
        check_version(carrier, cmd.expected_version)
        if "endpoint" in changes and changes["endpoint"] != carrier.endpoint:
            cmd.principal.require(ENDPOINT_SCOPE)
            changes.setdefault("credentials", None)
        _check_merged(carrier, changes)
        before = image(carrier)
        if _apply(carrier, changes):
            await uow.flush()
            uow.record(
                CarrierUpdated(
                    actor=cmd.principal.actor,
                    entity_id=carrier.id,
                    before=before,
                    after=image(carrier),
                )
            )
        await uow.commit()
    return carrier


def _check_merged(carrier: Carrier, changes: dict[str, Any]) -> None:
    """The carrier as it would be after ``changes`` keeps the master-data rules, its webhooks
    setting suits its adapter and its connection is complete."""
    issues: list[FieldIssue] = carrier_issues(terms_of({**term_columns(carrier), **changes}))
    if {"adapter_kind", "webhooks"} & changes.keys():
        issues += webhooks_issues(
            changes.get("adapter_kind", carrier.adapter_kind),
            changes.get("webhooks", carrier.webhooks),
        )
    raise_for_issues(issues)
    merged = {
        name: changes.get(name, getattr(carrier, name))
        for name in ("adapter_kind", "endpoint", "credentials")
    }
    check_connection(merged["adapter_kind"], merged["endpoint"], merged["credentials"])


def _apply(carrier: Carrier, changes: dict[str, Any]) -> bool:
    """Set the columns that differ; whether any did."""
    changed = False
    for key, value in changes.items():
        if getattr(carrier, key) != value:
            setattr(carrier, key, value)
            changed = True
    return changed
