"""Carrier use cases: master data (create, read, list, update/deactivate) and selection.

Credentials are write-only: they are stored, but neither returned nor written to the audit
trail or the outbox (those images carry ``has_credentials`` instead). An endpoint must pass
the outbound URL rule (``app.domain.outbound_urls``) when it is saved; changing it needs the
admin scope and drops the stored credentials unless new ones come with it, so that a carrier's
API key is never sent to a host its owner did not give it for."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from app.adapters.carriers.registry import CarrierConfig, accepts_webhooks, credentials_problem
from app.adapters.outbound import OutboundGuard
from app.domain.auth import Principal
from app.domain.carrier_links import ENDPOINT_SCOPE, webhooks_issue
from app.domain.carrier_selection import (
    CarrierTerms,
    Selection,
    ShipmentFacts,
    ZoneRate,
    carrier_issues,
    preference_issues,
    select_carriers,
)
from app.domain.errors import (
    DuplicateKey,
    FieldIssue,
    NotFound,
    UnknownReference,
    Violations,
)
from app.domain.exchange_rates import convert
from app.domain.products import GoodsClass, raise_for_issues
from app.repositories.carriers import Carrier
from app.repositories.pagination import PageResult
from app.schemas.carriers import CarrierCreate, CarrierSelectionRequest, CarrierUpdate
from app.services.common import check_version
from app.services.recording import record_change, snapshot
from app.services.unit_of_work import UnitOfWork

SECRET_COLUMNS = ("credentials",)
TERM_COLUMNS = (
    "code",
    "coverage",
    "max_package_weight_kg",
    "goods_classes",
    "currency",
    "transit_days",
    "rates",
    "surcharges",
    "cutoff_time",
    "zone_rules",
    "active",
)


def _columns(data: CarrierCreate | CarrierUpdate) -> dict[str, Any]:
    """The given fields (for a new carrier: every field, defaults included) as column values:
    JSON columns as JSON, the secret in clear."""
    values = data.model_dump(
        exclude_unset=isinstance(data, CarrierUpdate), mode="json", exclude={"credentials"}
    )
    for name in ("max_package_weight_kg", "timeout_seconds"):
        if name in values:
            values[name] = Decimal(values[name])
    if "credentials" in data.model_fields_set or isinstance(data, CarrierCreate):
        secret = data.credentials
        values["credentials"] = secret.get_secret_value() if secret is not None else None
    return values


def check_connection(adapter_kind: str, endpoint: str | None, credentials: str | None) -> None:
    """An HTTP adapter's credentials are the JSON its gateway reads; generic_json needs an
    endpoint."""
    v = Violations()
    problem = credentials_problem(adapter_kind, credentials)
    if problem:
        v.add("credentials", "adapter_credentials", problem)
    if adapter_kind == "generic_json" and not endpoint:
        v.add("endpoint", "required", "A generic_json carrier needs the base URL of its API.")
    v.raise_if_any()


def config_of(carrier: Carrier) -> CarrierConfig:
    """What building the carrier's gateway needs (read inside a transaction, used outside)."""
    return CarrierConfig(
        code=carrier.code,
        adapter_kind=carrier.adapter_kind,
        terms=carrier_terms(carrier),
        services=tuple(str(s["code"]) for s in carrier.services),
        endpoint=carrier.endpoint,
        credentials=carrier.credentials,
        timeout_s=float(carrier.timeout_seconds),
    )


def terms_of(values: Mapping[str, Any]) -> CarrierTerms:
    """Carrier columns (a row's or a command's) as the domain's value object."""
    return CarrierTerms(
        code=values["code"],
        currency=values["currency"],
        coverage={c: frozenset(regions) for c, regions in values["coverage"].items()},
        max_package_weight_kg=Decimal(values["max_package_weight_kg"]),
        goods_classes=frozenset(GoodsClass(g) for g in values["goods_classes"]),
        transit_days={zone: int(days) for zone, days in values["transit_days"].items()},
        rates={
            zone: ZoneRate(Decimal(rate["base"]), Decimal(rate["per_kg"]))
            for zone, rate in values["rates"].items()
        },
        zone_rules=dict(values["zone_rules"]),
        cutoff=time.fromisoformat(values["cutoff_time"]),
        surcharges={GoodsClass(g): Decimal(a) for g, a in values["surcharges"].items()},
        active=bool(values["active"]),
    )


def carrier_terms(carrier: Carrier) -> CarrierTerms:
    return terms_of({name: getattr(carrier, name) for name in TERM_COLUMNS})


def _image(carrier: Carrier) -> dict[str, Any]:
    """The audit/outbox image: every column but the secret, and whether there is one."""
    return {**snapshot(carrier, exclude=SECRET_COLUMNS), "has_credentials": carrier.has_credentials}


def _webhooks_issues(adapter_kind: str, webhooks: bool) -> list[FieldIssue]:
    issue = webhooks_issue(webhooks, adapter_kind, accepts_webhooks(adapter_kind))
    return [issue] if issue else []


async def create_carrier(
    uow: UnitOfWork, data: CarrierCreate, principal: Principal, guard: OutboundGuard
) -> Carrier:
    """A new carrier; ``webhooks`` left out means "whenever its adapter takes webhooks"."""
    values = _columns(data)
    if values.get("webhooks") is None:
        values["webhooks"] = accepts_webhooks(data.adapter_kind)
    raise_for_issues(
        carrier_issues(terms_of({"active": True, "surcharges": {}, **values}))
        + _webhooks_issues(data.adapter_kind, values["webhooks"])
    )
    if data.endpoint is not None:
        await guard.check("endpoint", data.endpoint)
    check_connection(data.adapter_kind, data.endpoint, values.get("credentials"))
    async with uow:
        if await uow.carriers.get_by_code(data.code):
            raise DuplicateKey(f"A carrier with code '{data.code}' already exists.")
        carrier = Carrier(**values)
        uow.carriers.add(carrier)
        await uow.flush()
        record_change(
            uow,
            principal.actor,
            "carrier",
            carrier.id,
            "created",
            None,
            _image(carrier),
            event="carrier.created",
        )
        await uow.commit()
    return carrier


async def _get(uow: UnitOfWork, carrier_id: uuid.UUID) -> Carrier:
    carrier = await uow.carriers.get(carrier_id)
    if carrier is None:
        raise NotFound(f"No carrier with id {carrier_id}.")
    return carrier


async def get_carrier(uow: UnitOfWork, carrier_id: uuid.UUID) -> Carrier:
    async with uow:
        return await _get(uow, carrier_id)


async def list_carriers(
    uow: UnitOfWork,
    *,
    active: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Carrier]:
    async with uow:
        return await uow.carriers.page(active=active, q=q, limit=limit, cursor=cursor)


async def update_carrier(
    uow: UnitOfWork,
    carrier_id: uuid.UUID,
    data: CarrierUpdate,
    expected_version: int,
    principal: Principal,
    guard: OutboundGuard,
) -> Carrier:
    """Change the given fields; the merged carrier must still satisfy the master-data rules.
    A new endpoint needs the admin scope and, unless credentials come with it, removes the
    stored ones. A change that alters nothing writes nothing and keeps the version."""
    changes = _columns(data)
    if changes.get("endpoint") is not None:
        # Resolved before the transaction opens: a slow name server holds nothing.
        await guard.check("endpoint", changes["endpoint"])
    async with uow:
        carrier = await _get(uow, carrier_id)
        check_version(carrier, expected_version)
        if "endpoint" in changes and changes["endpoint"] != carrier.endpoint:
            principal.require(ENDPOINT_SCOPE)
            changes.setdefault("credentials", None)
        current = {name: getattr(carrier, name) for name in TERM_COLUMNS}
        issues = carrier_issues(terms_of({**current, **changes}))
        if {"adapter_kind", "webhooks"} & changes.keys():
            issues += _webhooks_issues(
                changes.get("adapter_kind", carrier.adapter_kind),
                changes.get("webhooks", carrier.webhooks),
            )
        raise_for_issues(issues)
        merged = {
            name: changes.get(name, getattr(carrier, name))
            for name in ("adapter_kind", "endpoint", "credentials")
        }
        check_connection(merged["adapter_kind"], merged["endpoint"], merged["credentials"])
        before = _image(carrier)
        changed = False
        for key, value in changes.items():
            if getattr(carrier, key) != value:
                setattr(carrier, key, value)
                changed = True
        if changed:
            await uow.flush()
            record_change(
                uow,
                principal.actor,
                "carrier",
                carrier.id,
                "updated",
                before,
                _image(carrier),
                event="carrier.updated",
            )
        await uow.commit()
    return carrier


async def select_for_shipment(
    uow: UnitOfWork,
    request: CarrierSelectionRequest,
    *,
    now: datetime,
    reporting_currency: str,
) -> Selection:
    """Every carrier, eligible ones ranked by the preference (prices compared in the
    reporting currency at today's exchange rates), the others with their reason. ``now`` is
    used when the request gives no ``ship_at``."""
    raise_for_issues(preference_issues(request.preference, request.preferred_carrier))
    today = now.date()
    async with uow:
        carriers = [carrier_terms(carrier) for carrier in await uow.carriers.all()]
        table = await uow.exchange_rates.in_force(
            {c.currency for c in carriers}, reporting_currency, today
        )
    if request.preferred_carrier is not None and request.preferred_carrier not in {
        c.code for c in carriers
    }:
        raise UnknownReference.on(
            "preferred_carrier", "exists", f"No carrier with code '{request.preferred_carrier}'."
        )
    ship_at = request.ship_at or now
    facts = ShipmentFacts(
        country=request.destination.country,
        region=request.destination.region,
        weight_kg=request.weight_kg,
        goods_classes=frozenset(request.goods_classes),
        now=ship_at.replace(tzinfo=None),
        deliver_by=request.deliver_by,
    )
    return select_carriers(
        carriers,
        facts,
        request.preference,
        request.preferred_carrier,
        lambda amount, currency: convert(amount, currency, reporting_currency, table, today),
    )
