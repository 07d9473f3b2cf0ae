"""Order review (审核): a list of rules, each returning pass, hold or needs-approval.

``review_order`` is pure: it takes the facts of one order (``ReviewFacts``) and the configured
``ReviewPolicy`` and returns a ``ReviewDecision`` — every rule's result and reason, the holds, the
sequential chain of roles that must still approve, and the outcome:

- ``on_hold`` when any rule holds the order (holds are released by people or by events);
- otherwise ``pending_approval`` when any rule asks for an approval;
- otherwise ``approved``.

Stock shortage is deliberately not a rule: allocation handles it after approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from app.domain.credit import CreditPosition
from app.domain.errors import Violations

ROLE_ORDER = ("sales_manager", "finance", "admin")


class Result(StrEnum):
    PASS = "pass"
    HOLD = "hold"
    NEEDS_APPROVAL = "needs_approval"
    SKIPPED = "skipped"


class Outcome(StrEnum):
    APPROVED = "approved"
    ON_HOLD = "on_hold"
    PENDING_APPROVAL = "pending_approval"


class HoldCode(StrEnum):
    INCOMPLETE = "incomplete"
    CUSTOMER_ON_HOLD = "customer_on_hold"
    CUSTOMER_BLOCKED = "customer_blocked"
    AWAITING_PAYMENT = "awaiting_payment"
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    OVERDUE_RECEIVABLES = "overdue_receivables"
    MANUAL = "manual"


RULES = ("completeness", "customer_status", "price", "payment", "credit", "amount")


@dataclass(frozen=True)
class ReviewPolicy:
    """What an admin configures (``PUT /settings/review``); none of it is code."""

    enabled_rules: tuple[str, ...] = RULES
    min_lead_time_days: int = 0
    max_discount_percent: Decimal = Decimal("20")
    price_approver: str = "sales_manager"
    amount_threshold_1: Decimal = Decimal("50000")
    amount_approver_1: str = "sales_manager"
    amount_threshold_2: Decimal = Decimal("200000")
    amount_approver_2: str = "finance"
    overdue_days: int = 30
    # Returns (RMA) worth less than this are approved automatically (0: none); the others are
    # decided by one of these roles (or an admin).
    return_auto_approve_max: Decimal = Decimal("500")
    return_approvers: tuple[str, ...] = ("sales_manager", "finance")
    # Which roles may release which hold; admin may release any.
    release_roles: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            HoldCode.INCOMPLETE: ("sales", "sales_manager"),
            HoldCode.CUSTOMER_ON_HOLD: ("sales_manager", "finance"),
            HoldCode.CUSTOMER_BLOCKED: ("finance",),
            HoldCode.AWAITING_PAYMENT: ("finance",),
            HoldCode.CREDIT_LIMIT_EXCEEDED: ("finance",),
            HoldCode.OVERDUE_RECEIVABLES: ("finance",),
            HoldCode.MANUAL: ("sales_manager", "finance"),
        }
    )

    def validate(self, roles: frozenset[str]) -> None:
        """Refuse settings that make no sense (negative amounts, T2 below T1, unknown roles)."""
        v = Violations()
        for name in (
            "amount_threshold_1",
            "amount_threshold_2",
            "max_discount_percent",
            "return_auto_approve_max",
        ):
            if getattr(self, name) < 0:
                v.add(name, "not_negative", f"{name} cannot be negative.")
        if self.max_discount_percent > 100:
            v.add("max_discount_percent", "at_most_100", "A discount is at most 100 percent.")
        if self.amount_threshold_2 < self.amount_threshold_1:
            v.add(
                "amount_threshold_2",
                "not_below_threshold_1",
                "The second amount threshold cannot be below the first.",
            )
        for name in ("min_lead_time_days", "overdue_days"):
            if getattr(self, name) < 0:
                v.add(name, "not_negative", f"{name} cannot be negative.")
        for name in ("price_approver", "amount_approver_1", "amount_approver_2"):
            if getattr(self, name) not in roles:
                v.add(name, "enum", f"Unknown role '{getattr(self, name)}'.")
        for i, role in enumerate(self.return_approvers):
            if role not in roles:
                v.add(f"return_approvers.{i}", "enum", f"Unknown role '{role}'.")
        for i, rule in enumerate(self.enabled_rules):
            if rule not in RULES:
                v.add(f"enabled_rules.{i}", "enum", f"Unknown rule '{rule}'.")
        for code, who in self.release_roles.items():
            if code not in {h.value for h in HoldCode}:
                v.add(f"release_roles.{code}", "enum", f"Unknown hold '{code}'.")
            for role in who:
                if role not in roles:
                    v.add(f"release_roles.{code}", "enum", f"Unknown role '{role}'.")
        v.raise_if_any("The review settings are not valid.")


@dataclass(frozen=True)
class LineFacts:
    sku: str
    below_floor: bool
    discount_percent: Decimal


@dataclass(frozen=True)
class ReviewFacts:
    """Everything the rules look at, gathered by the service inside the review transaction."""

    today: date
    has_ship_to: bool
    lines: tuple[LineFacts, ...]
    requested_delivery_date: date | None
    customer_status: str
    prepaid_channel: bool
    payment_status: str | None  # its standing against the total (app.domain.payments)
    fully_paid: bool
    order_discount_percent: Decimal
    total: Decimal
    credit: CreditPosition | None  # None: not needed (fully paid in advance) or rule disabled


@dataclass(frozen=True)
class RuleResult:
    rule: str
    result: Result
    message: str
    code: str | None = None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewDecision:
    results: tuple[RuleResult, ...]
    holds: tuple[str, ...]
    approval_chain: tuple[str, ...]

    @property
    def outcome(self) -> Outcome:
        if self.holds:
            return Outcome.ON_HOLD
        if self.approval_chain:
            return Outcome.PENDING_APPROVAL
        return Outcome.APPROVED


def _pass(rule: str, message: str) -> RuleResult:
    return RuleResult(rule, Result.PASS, message)


def check_completeness(f: ReviewFacts, p: ReviewPolicy) -> RuleResult:
    """Ship-to, lines, and a requested date the lead time can meet."""
    missing = []
    if not f.has_ship_to:
        missing.append("a ship-to address")
    if not f.lines:
        missing.append("lines")
    earliest = f.today + timedelta(days=p.min_lead_time_days)
    if f.requested_delivery_date is not None and f.requested_delivery_date < earliest:
        missing.append(f"a requested date on or after {earliest.isoformat()} (lead time)")
    if missing:
        return RuleResult(
            "completeness",
            Result.HOLD,
            "The order needs " + ", ".join(missing) + ".",
            HoldCode.INCOMPLETE,
        )
    return _pass("completeness", "Ship-to, lines and date are complete.")


def check_customer_status(f: ReviewFacts, p: ReviewPolicy) -> RuleResult:
    if f.customer_status == "blocked":
        return RuleResult(
            "customer_status", Result.HOLD, "The customer is blocked.", HoldCode.CUSTOMER_BLOCKED
        )
    if f.customer_status == "on_hold":
        return RuleResult(
            "customer_status", Result.HOLD, "The customer is on hold.", HoldCode.CUSTOMER_ON_HOLD
        )
    return _pass("customer_status", "The customer is active.")


def check_price(f: ReviewFacts, p: ReviewPolicy) -> RuleResult:
    """A line below its floor price, or a discount above the maximum, needs approval."""
    reasons = [f"{x.sku} is below its floor price" for x in f.lines if x.below_floor]
    reasons += [
        f"{x.sku} has a {x.discount_percent}% discount (max {p.max_discount_percent}%)"
        for x in f.lines
        if x.discount_percent > p.max_discount_percent
    ]
    if f.order_discount_percent > p.max_discount_percent:
        reasons.append(
            f"the order discount is {f.order_discount_percent}% (max {p.max_discount_percent}%)"
        )
    if reasons:
        return RuleResult(
            "price",
            Result.NEEDS_APPROVAL,
            "; ".join(reasons) + ".",
            "price_approval",
            (p.price_approver,),
        )
    return _pass("price", "Prices and discounts are within policy.")


def check_payment(f: ReviewFacts, p: ReviewPolicy) -> RuleResult:
    """A prepaid channel's order waits until it is paid or authorised in full (``payment_status``
    is the payment's standing against the total: a partial one keeps the order waiting)."""
    if f.prepaid_channel and f.payment_status not in ("paid", "authorized"):
        return RuleResult(
            "payment",
            Result.HOLD,
            "The order is not paid or authorised yet.",
            HoldCode.AWAITING_PAYMENT,
        )
    return _pass("payment", "Payment is not required or is in place.")


def check_credit(f: ReviewFacts, p: ReviewPolicy) -> RuleResult:
    """The credit rule in review: skipped for an order paid in full in advance."""
    if f.fully_paid:
        return RuleResult("credit", Result.SKIPPED, "Paid in full in advance: no credit risk.")
    assert f.credit is not None, "the service gathers the credit position unless fully paid"
    return assess_credit(f.credit, f.total, p)


def assess_credit(credit: CreditPosition, total: Decimal, p: ReviewPolicy) -> RuleResult:
    """The credit rule, the one place it is written: no receivables overdue by more than the
    configured days, and exposure (open receivables + approved unbilled orders + this order)
    within the limit. Review runs it, and so does the re-check of ``credit_holds``."""
    if credit.max_days_overdue > p.overdue_days:
        return RuleResult(
            "credit",
            Result.HOLD,
            f"Receivables of {credit.overdue_amount} are overdue by {credit.max_days_overdue} "
            f"days (more than {p.overdue_days}).",
            HoldCode.OVERDUE_RECEIVABLES,
        )
    exposure = credit.exposure_with(total)
    if exposure > credit.limit:
        return RuleResult(
            "credit",
            Result.HOLD,
            f"Exposure {exposure} would exceed the credit limit {credit.limit} "
            f"(available {credit.available}).",
            HoldCode.CREDIT_LIMIT_EXCEEDED,
        )
    return _pass("credit", f"Exposure {exposure} is within the credit limit {credit.limit}.")


def credit_holds(credit: CreditPosition | None, total: Decimal, p: ReviewPolicy) -> tuple[str, ...]:
    """The holds the credit rule puts on an order again when nothing else holds it or waits
    for an approval any more (the last hold released, the last approval given): other orders
    may have spent the credit, or receivables fallen overdue, since it was reviewed. ``credit``
    None: paid in full in advance, no credit risk."""
    if credit is None or "credit" not in p.enabled_rules:
        return ()
    result = assess_credit(credit, total, p)
    return (result.code,) if result.result is Result.HOLD and result.code else ()


def check_amount(f: ReviewFacts, p: ReviewPolicy) -> RuleResult:
    """Above T1 a first approver signs; above T2 a second one as well, after the first."""
    if f.total > p.amount_threshold_2:
        return RuleResult(
            "amount",
            Result.NEEDS_APPROVAL,
            f"The total {f.total} is above {p.amount_threshold_2}.",
            "amount",
            (p.amount_approver_1, p.amount_approver_2),
        )
    if f.total > p.amount_threshold_1:
        return RuleResult(
            "amount",
            Result.NEEDS_APPROVAL,
            f"The total {f.total} is above {p.amount_threshold_1}.",
            "amount",
            (p.amount_approver_1,),
        )
    return _pass("amount", "The total needs no approval.")


CHECKS = {
    "completeness": check_completeness,
    "customer_status": check_customer_status,
    "price": check_price,
    "payment": check_payment,
    "credit": check_credit,
    "amount": check_amount,
}


def review_order(facts: ReviewFacts, policy: ReviewPolicy) -> ReviewDecision:
    results = []
    for rule in RULES:
        if rule not in policy.enabled_rules:
            results.append(RuleResult(rule, Result.SKIPPED, "Disabled by the review settings."))
        else:
            results.append(CHECKS[rule](facts, policy))
    holds = tuple(dict.fromkeys(r.code for r in results if r.result is Result.HOLD and r.code))
    roles = [role for r in results if r.result is Result.NEEDS_APPROVAL for role in r.roles]
    return ReviewDecision(tuple(results), holds, approval_chain(roles))


def approval_chain(roles: list[str]) -> tuple[str, ...]:
    """Sequential levels: each role once, junior before senior (sales_manager, finance, admin)."""
    unique = dict.fromkeys(roles)
    return tuple(sorted(unique, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 0))


def may_release(hold: str, roles: tuple[str, ...], policy: ReviewPolicy) -> bool:
    if "admin" in roles:
        return True
    allowed = policy.release_roles.get(hold, ())
    return any(role in allowed for role in roles)
