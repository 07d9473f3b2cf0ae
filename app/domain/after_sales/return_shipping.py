"""How approved returns come back: a carrier's return label (bought like a shipment's
label), an own-fleet pickup on a day, or a drop-off at the warehouse (which needs nothing).

- A return label is bought only for an approved return whose method is ``carrier_label``,
  from a carrier that sells labels (EasyPost or the generic protocol): own-fleet
  (table-rate) carriers collect returns with a pickup instead.
- A pickup is scheduled only for an approved return whose method is ``pickup``, on today
  (UTC) or later, in an optional ``HH:MM-HH:MM`` window that ends after it starts.
- A return's tracking status follows its carrier's events like a shipment's, never
  backwards; ``delivered`` only shows there — the warehouse receives the return on
  inspection.
"""

from __future__ import annotations

import re
from datetime import date

from app.domain.after_sales.returns import ReturnMethod, ReturnStatus
from app.domain.errors import FieldIssue, InvalidState, RuleViolation

LABEL_KINDS = frozenset({"easypost", "generic_json"})
WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def _check_approved_with(status: str, method: str, wanted: ReturnMethod, action: str) -> None:
    if status != ReturnStatus.APPROVED:
        message = f"This return is {status}; only an approved return gets {action}."
        raise InvalidState(
            message,
            code="return_not_approved",
            issues=[FieldIssue("status", "return_not_approved", message)],
        )
    if method != wanted:
        message = f"This return comes back by {method}, not {wanted.value}: it gets no {action}."
        raise InvalidState(
            message,
            code="wrong_return_method",
            issues=[FieldIssue("method", "wrong_return_method", message)],
        )


def check_can_buy_return_label(status: str, method: str) -> None:
    """An approved return of method ``carrier_label`` (409 otherwise, naming the rule)."""
    _check_approved_with(status, method, ReturnMethod.CARRIER_LABEL, "a return label")


def check_label_carrier(code: str, adapter_kind: str, active: bool) -> None:
    """The carrier must be active and sell labels (not an own fleet)."""
    if not active:
        raise RuleViolation.on("carrier", "carrier_inactive", f"Carrier {code} is not active.")
    if adapter_kind not in LABEL_KINDS:
        raise RuleViolation.on(
            "carrier",
            "no_return_labels",
            f"Carrier {code} is an own fleet and sells no labels: schedule a pickup instead.",
        )


def check_pickup(status: str, method: str, on: date, today: date, window: str | None) -> None:
    """An approved ``pickup`` return, on today or later, in a well-formed window."""
    _check_approved_with(status, method, ReturnMethod.PICKUP, "a pickup")
    if on < today:
        raise RuleViolation.on(
            "date", "not_in_past", f"A pickup is scheduled for today ({today}) or later."
        )
    if window is None:
        return
    found = WINDOW.match(window)
    if found is None or found.group(1, 2) >= found.group(3, 4):
        raise RuleViolation.on(
            "window", "time_range", "The window is HH:MM-HH:MM and ends after it starts."
        )
