"""Exception alerts (预警): what needs someone, how badly, and who should act.

Each rule watches one kind of subject (a product, an order, a shipment, an invoice, a service
case, a production request, a webhook endpoint) and says how severe its alert is and which
role acts on it. There is at most one alert per rule and subject that is not resolved (no
floods): raising it again while it is open or acknowledged does nothing. An alert goes open →
acknowledged → resolved, or straight from open to resolved; it is resolved by hand (with a
reason) or automatically when its condition cleared. A resolved alert is final; the same
condition later opens a new one.

The thresholds are settings (``LADING_ALERT_...``); ``app.domain.alert_conditions`` turns them
into the moments the time-based rules compare with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.domain.auth import Role
from app.domain.errors import InvalidState, RuleViolation


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    AUTO = "auto"  # the condition cleared
    MANUAL = "manual"  # someone resolved it, with a reason


class Rule(StrEnum):
    STOCK_BELOW_REORDER_POINT = "stock_below_reorder_point"
    BACKORDER_AGED = "backorder_aged"
    ORDER_NOT_ALLOCATED = "order_not_allocated"
    APPROVAL_WAITING = "approval_waiting"
    LABEL_PENDING = "label_pending"
    SHIPMENT_MISSED_CUTOFF = "shipment_missed_cutoff"
    TRACKING_SILENT = "tracking_silent"
    DELIVERY_LATE = "delivery_late"
    DELIVERY_EXCEPTION = "delivery_exception"
    INVOICE_OVERDUE = "invoice_overdue"
    CASE_OVERDUE = "case_overdue"
    PRODUCTION_DELAYED = "production_delayed"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled"
    STOREFRONT_INTAKE_REJECTED = "storefront_intake_rejected"
    STOREFRONT_ORDER_DIVERGED = "storefront_order_diverged"


@dataclass(frozen=True)
class RuleSpec:
    subject_type: str
    severity: Severity
    role: Role
    template: str  # the message, formatted with the alert's details


RULES: dict[Rule, RuleSpec] = {
    Rule.STOCK_BELOW_REORDER_POINT: RuleSpec(
        "product",
        Severity.WARNING,
        Role.WAREHOUSE,
        "{sku}: projected stock {projected} is below its reorder point {reorder_point}.",
    ),
    Rule.BACKORDER_AGED: RuleSpec(
        "order",
        Severity.WARNING,
        Role.WAREHOUSE,
        "Order {number} has waited for backordered goods more than {days} days.",
    ),
    Rule.ORDER_NOT_ALLOCATED: RuleSpec(
        "order",
        Severity.WARNING,
        Role.WAREHOUSE,
        "Order {number} was approved but nothing is allocated after {hours} hours.",
    ),
    Rule.APPROVAL_WAITING: RuleSpec(
        "order",
        Severity.WARNING,
        Role.SALES_MANAGER,
        "Order {number} has waited for approval more than {hours} hours.",
    ),
    Rule.LABEL_PENDING: RuleSpec(
        "shipment",
        Severity.WARNING,
        Role.WAREHOUSE,
        "The label of shipment {number} is still pending after {minutes} minutes.",
    ),
    Rule.SHIPMENT_MISSED_CUTOFF: RuleSpec(
        "shipment",
        Severity.WARNING,
        Role.WAREHOUSE,
        "Shipment {number} was not shipped by the {cutoff} cutoff of {day}.",
    ),
    Rule.TRACKING_SILENT: RuleSpec(
        "shipment",
        Severity.WARNING,
        Role.WAREHOUSE,
        "Shipment {number}: no tracking news for more than {hours} hours.",
    ),
    Rule.DELIVERY_LATE: RuleSpec(
        "shipment",
        Severity.WARNING,
        Role.SALES,
        "Shipment {number} is past its promised date {promised_date} and not delivered.",
    ),
    Rule.DELIVERY_EXCEPTION: RuleSpec(
        "shipment",
        Severity.CRITICAL,
        Role.WAREHOUSE,
        "Shipment {number}: the carrier reports {status}: {description}",
    ),
    Rule.INVOICE_OVERDUE: RuleSpec(
        "invoice",
        Severity.WARNING,
        Role.FINANCE,
        "Invoice {number} is overdue: {balance} {currency} was due on {due_date}.",
    ),
    Rule.CASE_OVERDUE: RuleSpec(
        "case",
        Severity.WARNING,
        Role.SALES,
        "Case {number} ({kind}, {priority}) missed its {target} target due {due_at}.",
    ),
    Rule.PRODUCTION_DELAYED: RuleSpec(
        "production_request",
        Severity.WARNING,
        Role.WAREHOUSE,
        "Production {number} is late: due {due_date}, now expected {expected_date}.",
    ),
    Rule.WEBHOOK_ENDPOINT_DISABLED: RuleSpec(
        "webhook_endpoint",
        Severity.CRITICAL,
        Role.ADMIN,
        "The webhook endpoint {url} was disabled: {reason}",
    ),
    # one open alert per shop: the rejected intakes list shows every refused webhook
    Rule.STOREFRONT_INTAKE_REJECTED: RuleSpec(
        "storefront_connection",
        Severity.WARNING,
        Role.SALES,
        "Shop {connection}: a webhook was not taken: {reason}",
    ),
    Rule.STOREFRONT_ORDER_DIVERGED: RuleSpec(
        "order",
        Severity.WARNING,
        Role.SALES,
        "Order {number}: the shop changed it in a way Lading cannot follow: {reason}",
    ),
}

# The API path of each kind of subject (the alert's link).
LINKS: dict[str, str] = {
    "product": "/api/v1/products/{id}",
    "order": "/api/v1/orders/{id}",
    "shipment": "/api/v1/shipments/{id}",
    "invoice": "/api/v1/invoices/{id}",
    "case": "/api/v1/cases/{id}",
    "production_request": "/api/v1/production-requests/{id}",
    "webhook_endpoint": "/api/v1/webhook-endpoints/{id}",
    "storefront_connection": "/api/v1/storefront-connections/{id}/rejected-intakes",
}

# The rules the worker's scan raises and resolves by time; the others are raised by events.
SCANNED = (
    Rule.STOCK_BELOW_REORDER_POINT,
    Rule.BACKORDER_AGED,
    Rule.ORDER_NOT_ALLOCATED,
    Rule.APPROVAL_WAITING,
    Rule.LABEL_PENDING,
    Rule.SHIPMENT_MISSED_CUTOFF,
    Rule.TRACKING_SILENT,
    Rule.DELIVERY_LATE,
    Rule.CASE_OVERDUE,
)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def message(rule: Rule, details: Mapping[str, Any]) -> str:
    """The alert's sentence, from its rule and details (a missing detail shows as "?")."""
    return RULES[rule].template.format_map(_Blank(details))[:500]


def link(subject_type: str, subject_id: str) -> str:
    return LINKS[subject_type].format(id=subject_id)


@dataclass(frozen=True)
class AlertSpec:
    """An alert to raise: the rule, its subject and what the message shows. ``role``
    replaces the rule's role (an approval waits for the approver the chain names)."""

    rule: Rule
    subject_id: str
    details: Mapping[str, Any] = field(default_factory=dict)
    actor: str = "system"
    role: Role | None = None

    @property
    def spec(self) -> RuleSpec:
        return RULES[self.rule]

    @property
    def subject_type(self) -> str:
        return self.spec.subject_type

    @property
    def acting_role(self) -> Role:
        return self.role or self.spec.role

    @property
    def message(self) -> str:
        return message(self.rule, self.details)

    @property
    def link(self) -> str:
        return link(self.subject_type, self.subject_id)


def approver_role(next_approver: str | None) -> Role | None:
    """The role an approval waits for, when the chain names one of ours."""
    try:
        return Role(next_approver) if next_approver else None
    except ValueError:
        return None


def acknowledge(state: AlertState) -> AlertState:
    """Someone has seen an open alert and is on it."""
    if state != AlertState.OPEN:
        raise InvalidState(f"Only an open alert can be acknowledged; this one is {state}.")
    return AlertState.ACKNOWLEDGED


def resolve(state: AlertState, reason: str) -> AlertState:
    """Resolved by hand: an open or acknowledged alert, with a reason."""
    if state == AlertState.RESOLVED:
        raise InvalidState("The alert is already resolved.", code="already_resolved")
    if not reason.strip():
        raise RuleViolation.on("reason", "required", "Say why the alert is resolved.")
    return AlertState.RESOLVED
