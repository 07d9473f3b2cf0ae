"""Returns (RMA, 退货): what may be returned, how a return is approved, and how what comes
back is inspected.

- A line may be returned once delivered, within its return window counted from its latest
  delivery, and never more than was delivered less what is returned already or claimed by
  other open returns (invariant 3: ``returned ≤ delivered``).
- A return is approved automatically when its value is below the review settings' threshold
  (it was checked within the window when it was requested); otherwise one of the roles the
  review settings name approves or refuses it, a refusal with its reason.
- What arrives is inspected per line: ``restock`` (back on hand, available again),
  ``quarantine`` (held apart, not available, until released or scrapped) or ``scrap`` (written
  off with a reason). The received quantity may differ from the requested one; more than
  requested needs a reason.

States: requested → approved | refused | cancelled; approved → received → resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import InvalidState, RuleViolation, Violations
from app.domain.money import ZERO


class ReturnReason(StrEnum):
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    NO_LONGER_WANTED = "no_longer_wanted"
    OTHER = "other"


class ReturnResolution(StrEnum):
    REFUND = "refund"
    REPLACEMENT = "replacement"
    EXCHANGE = "exchange"


class ReturnMethod(StrEnum):
    """How the goods come back: with a carrier's return label, picked up by the own fleet, or
    brought to a warehouse by the customer."""

    CARRIER_LABEL = "carrier_label"
    PICKUP = "pickup"
    DROP_OFF = "drop_off"


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    RECEIVED = "received"
    RESOLVED = "resolved"


# Returns whose requested quantities still claim their lines (not yet received, not closed).
CLAIMING = frozenset({ReturnStatus.REQUESTED, ReturnStatus.APPROVED})


class Inspection(StrEnum):
    RESTOCK = "restock"
    QUARANTINE = "quarantine"
    SCRAP = "scrap"


def format_return_number(year: int, sequence: int) -> str:
    """``RMA-2026-000123``."""
    return f"RMA-{year:04d}-{sequence:06d}"


def window_days(
    product_days: int | None, *, storefront: bool, default: int, storefront_default: int
) -> int:
    """A line's return window in days: the product's own, else the storefront window for a
    storefront order (无理由退货), else the general one."""
    if product_days is not None:
        return product_days
    return storefront_default if storefront else default


@dataclass(frozen=True)
class ReturnableLine:
    """An order line as a return sees it. ``claimed``: what other open returns requested of
    it and has not arrived yet; ``delivered_at``: its latest delivery (None: not delivered)."""

    delivered: Decimal
    returned: Decimal
    claimed: Decimal
    delivered_at: datetime | None
    window_days: int

    @property
    def returnable(self) -> Decimal:
        return self.delivered - self.returned - self.claimed


@dataclass(frozen=True)
class RequestedLine:
    line: ReturnableLine | None  # None: not a line of the order
    quantity: Decimal


def check_request(lines: Sequence[RequestedLine], now: datetime) -> None:
    """Every requested line is of the order, delivered, within its window, and asks for more
    than nothing and no more than is returnable; all problems are reported at once."""
    v = Violations()
    if not lines:
        v.add("lines", "not_empty", "A return names at least one line.")
    for n, asked in enumerate(lines):
        line = asked.line
        if line is None:
            v.add(f"lines.{n}.order_line_id", "of_order", "Not a line of this order.")
            continue
        if line.delivered <= 0 or line.delivered_at is None:
            v.add(f"lines.{n}.order_line_id", "delivered", "Nothing of this line is delivered.")
            continue
        if now > line.delivered_at + timedelta(days=line.window_days):
            v.add(
                f"lines.{n}.order_line_id",
                "return_window",
                f"The return window of {line.window_days} days after delivery has passed.",
            )
        if asked.quantity <= 0:
            v.add(f"lines.{n}.quantity", "positive", "A returned quantity must be above zero.")
        elif asked.quantity > line.returnable:
            v.add(
                f"lines.{n}.quantity",
                "within_returnable",
                f"At most {line.returnable} of this line can still be returned "
                f"({line.delivered} delivered, {line.returned} returned, {line.claimed} on "
                "other open returns).",
            )
    v.raise_if_any("The return cannot be requested.")


def approves_automatically(value: Decimal, threshold: Decimal) -> bool:
    """A return worth less than the threshold needs no one to approve it (0: never)."""
    return value < threshold


def may_approve(roles: Sequence[str], approvers: Sequence[str]) -> bool:
    """Admins, and the roles the review settings name, decide returns."""
    return "admin" in roles or any(r in approvers for r in roles)


def check_decidable(status: str) -> None:
    if status != ReturnStatus.REQUESTED:
        raise InvalidState(
            f"This return is {status}; only a requested return is approved or refused.",
            code="return_not_requested",
        )


def check_refusal(reason: str | None) -> None:
    if not (reason and reason.strip()):
        raise RuleViolation.on("reason", "required", "Refusing a return needs a reason.")


@dataclass(frozen=True)
class ReceivedLine:
    """What arrived of one return line and how it was inspected."""

    requested: Decimal
    room: Decimal  # what the order line can still take back: delivered − returned − others
    restock: Decimal = ZERO
    quarantine: Decimal = ZERO
    scrap: Decimal = ZERO
    difference_reason: str | None = None
    scrap_reason: str | None = None

    @property
    def received(self) -> Decimal:
        return self.restock + self.quarantine + self.scrap


def check_receipt(lines: Sequence[ReceivedLine]) -> None:
    """No negative quantity; something arrived; more than requested only with a reason and
    never beyond what the order line can take back; scrap with a reason."""
    v = Violations()
    if not any(x.received > 0 for x in lines):
        v.add("lines", "not_empty", "A receipt takes back at least one unit.")
    for n, x in enumerate(lines):
        for name in ("restock", "quarantine", "scrap"):
            if getattr(x, name) < 0:
                v.add(f"lines.{n}.{name}", "not_negative", f"{name} cannot be negative.")
        if x.received > x.requested and not (x.difference_reason and x.difference_reason.strip()):
            v.add(
                f"lines.{n}.difference_reason",
                "required",
                f"{x.received} received of {x.requested} requested needs a reason.",
            )
        if x.received > x.room:
            v.add(
                f"lines.{n}.restock",
                "within_delivered",
                f"At most {x.room} of this line can come back.",
            )
        if x.scrap > 0 and not (x.scrap_reason and x.scrap_reason.strip()):
            v.add(f"lines.{n}.scrap_reason", "required", "Scrapping needs a reason.")
    v.raise_if_any("The receipt is not valid.")


def check_receivable(status: str) -> None:
    if status != ReturnStatus.APPROVED:
        raise InvalidState(
            f"This return is {status}; only an approved return is received.",
            code="return_not_approved",
        )


def held(quarantined: Decimal, released: Decimal, scrapped: Decimal) -> Decimal:
    """What a return line still holds in quarantine."""
    return quarantined - released - scrapped


def check_quarantine_take(
    quantity: Decimal, holding: Decimal, reason: str | None = None, *, scrap: bool = False
) -> None:
    """Releasing or scrapping quarantined goods: more than nothing, never more than is held;
    scrapping with a reason."""
    v = Violations()
    if quantity <= 0:
        v.add("quantity", "positive", "The quantity must be above zero.")
    elif quantity > holding:
        v.add("quantity", "within_quarantine", f"Only {holding} of this line is in quarantine.")
    if scrap and not (reason and reason.strip()):
        v.add("reason", "required", "Scrapping needs a reason.")
    v.raise_if_any("The quarantine cannot change so.")
