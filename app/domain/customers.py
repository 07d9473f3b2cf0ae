"""Customer master data rules: statuses, credit decisions, tags and the ship-to address book."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.domain.auth import CUSTOMERS_CREDIT, Principal
from app.domain.billing.taxpayer import taxpayer_id_problem
from app.domain.errors import FieldIssue, PermissionDenied, Violations


class CustomerStatus(StrEnum):
    """``on_hold`` sends new orders to review; ``blocked`` refuses them."""

    ACTIVE = "active"
    ON_HOLD = "on_hold"
    BLOCKED = "blocked"


DEFAULT_PAYMENT_TERMS_DAYS = 30

# What decides how much credit a customer gets: the limit, how long it may take to pay, whether
# it may order at all, the currency the limit is counted in, and when it is invoiced (a
# periodic customer owes for a whole month of shipments before its invoice exists).
# Finance's (and admin's) call.
CREDIT_FIELDS = (
    "credit_limit",
    "payment_terms_days",
    "status",
    "currency",
    "invoicing_policy",
    "invoicing_period",
)


def credit_changes(changes: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """The credit fields an update would change (giving the current value again decides
    nothing, so a form that sends every field back needs no permission)."""
    return [f for f in CREDIT_FIELDS if f in changes and changes[f] != current[f]]


def credit_granted(values: Mapping[str, Any], allowance: Decimal) -> list[str]:
    """The credit fields of a new customer that grant more than anyone may: a credit limit
    above ``allowance``, payment terms longer than the default, or periodic invoicing."""
    granted = []
    if values.get("invoicing_policy", "on_shipment") == "periodic":
        granted.append("invoicing_policy")
    if values["credit_limit"] > allowance:
        granted.append("credit_limit")
    if values["payment_terms_days"] > DEFAULT_PAYMENT_TERMS_DAYS:
        granted.append("payment_terms_days")
    return granted


def ensure_may_decide_credit(principal: Principal, fields: Sequence[str]) -> None:
    """A credit decision needs ``customers:credit``; the refusal names each field."""
    if fields and CUSTOMERS_CREDIT not in principal.scopes:
        message = f"A credit decision; it needs the '{CUSTOMERS_CREDIT}' permission."
        raise PermissionDenied(
            f"Setting {', '.join(fields)} is a credit decision; "
            f"it needs the '{CUSTOMERS_CREDIT}' permission.",
            issues=[FieldIssue(f, "permission", message) for f in fields],
        )


def invoicing_issues(policy: str, period: str | None) -> list[FieldIssue]:
    """A periodic (月结) customer has a period (week or month); no other customer has one."""
    if policy == "periodic" and period is None:
        return [FieldIssue("invoicing_period", "required", "A periodic customer needs a period.")]
    if policy != "periodic" and period is not None:
        return [
            FieldIssue(
                "invoicing_period",
                "only_periodic",
                f"Only periodic customers have an invoicing period; this one is {policy}.",
            )
        ]
    return []


def tax_registration_issues(registration: Mapping[str, Any] | None) -> list[FieldIssue]:
    """A taxpayer id given is a valid 统一社会信用代码."""
    taxpayer_id = (registration or {}).get("taxpayer_id")
    if taxpayer_id is None:
        return []
    problem = taxpayer_id_problem(taxpayer_id)
    if problem is None:
        return []
    return [FieldIssue("tax_registration.taxpayer_id", problem[0], problem[1])]


def _new_id() -> str:
    return str(uuid.uuid4())


def arrange_ship_tos(
    ship_tos: Sequence[Mapping[str, Any]], new_id: Callable[[], str] = _new_id
) -> list[dict[str, Any]]:
    """The address book as it is stored: every ship-to has an id (a given one is kept, a new
    one is assigned otherwise), ids are unique, and exactly one entry is the default when there
    are any. At most one may be marked default; when none is, the first one becomes it."""
    violations = Violations()
    arranged: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(ship_tos):
        ship_to = dict(entry)
        given = ship_to.get("id")
        ship_to["id"] = str(given) if given else new_id()
        ship_to["is_default"] = bool(ship_to.get("is_default", False))
        if ship_to["id"] in seen:
            violations.add(
                f"ship_to.{index}.id",
                "unique",
                f"Ship-to {index} repeats the id of ship-to {seen[ship_to['id']]}.",
            )
        seen.setdefault(ship_to["id"], index)
        arranged.append(ship_to)
    defaults = [i for i, s in enumerate(arranged) if s["is_default"]]
    if len(defaults) > 1:
        violations.add(
            "ship_to",
            "single_default",
            "At most one ship-to address may be the default; "
            f"entries {', '.join(map(str, defaults))} are.",
        )
    violations.raise_if_any("The ship-to addresses break one or more rules.")
    if arranged and not defaults:
        arranged[0]["is_default"] = True
    return arranged


def distinct_tags(tags: Iterable[str]) -> list[str]:
    """Tags are a set kept in the order first given: repeats are dropped."""
    return list(dict.fromkeys(tags))
