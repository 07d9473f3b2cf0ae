"""A carrier row as the rest of the shipment use cases read it: its terms (the domain's value
object), the configuration its gateway is built from, its audit image, and the connection
rule (an HTTP adapter's credentials, generic_json's endpoint)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from typing import Any

from app.adapters.carriers.registry import CarrierConfig, accepts_webhooks, credentials_problem
from app.domain.carrier_links import webhooks_issue
from app.domain.carrier_selection import CarrierTerms, ZoneRate
from app.domain.errors import FieldIssue, Violations
from app.domain.products import GoodsClass
from app.repositories.base import snapshot
from app.repositories.carriers import Carrier

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
    return terms_of(term_columns(carrier))


def term_columns(carrier: Carrier) -> dict[str, Any]:
    return {name: getattr(carrier, name) for name in TERM_COLUMNS}


def image(carrier: Carrier) -> dict[str, Any]:
    """The audit/outbox image: every column but the secret, and whether there is one."""
    return {**snapshot(carrier, exclude=SECRET_COLUMNS), "has_credentials": carrier.has_credentials}


def webhooks_issues(adapter_kind: str, webhooks: bool) -> list[FieldIssue]:
    issue = webhooks_issue(webhooks, adapter_kind, accepts_webhooks(adapter_kind))
    return [issue] if issue else []
