"""Shipments (发货单): what leaves a warehouse for one order, checked against what was picked,
verified by scanning, confirmed (the stock is issued) and, for the own fleet, delivered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import Conflict, FieldIssue, InvalidState, Violations

ZERO = Decimal(0)
OWN_FLEET = "own_fleet"


class ShipmentStatus(StrEnum):
    READY = "ready"
    SHIPPED = "shipped"
    DELIVERED = "delivered"


# Shipments whose goods have left the warehouse (their stock is issued).
DEPARTED = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED})


class LabelStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"  # being bought, or waiting for the worker to retry a carrier that failed
    PURCHASED = "purchased"
    FAILED = "failed"  # the carrier refused the purchase: choose another rate


# Carriers reached over HTTP print their own labels: their shipments leave with one. Table-rate
# carriers (own fleet, local couriers) may print one but need not.
LABELLED_ADAPTERS = frozenset({"easypost", "generic_json"})


def needs_label(adapter_kind: str | None) -> bool:
    return adapter_kind in LABELLED_ADAPTERS


def hands_over_itself(adapter_kind: str | None) -> bool:
    """Own fleet (no carrier) and table-rate carriers send no tracking: their deliveries are
    recorded by hand (``POST /shipments/{id}/deliver``)."""
    return adapter_kind is None or adapter_kind == "table_rate"


@dataclass(frozen=True)
class QuotedRate:
    """One rate of a stored quote: the Lading carrier, the service and what it costs."""

    carrier: str
    service: str
    price: Decimal
    currency: str
    promised_date: str | None  # ISO date
    position: int = 0  # where the quote lists it
    # The price in the reporting currency (``app.domain.exchange_rates``); None: not converted,
    # and then the price itself is compared.
    converted: Decimal | None = None

    @property
    def comparable_price(self) -> Decimal:
        return self.price if self.converted is None else self.converted


NO_DATE = "9999-12-31"  # a rate without a promised date sorts after every dated one


def rank_rates(
    rates: Sequence[QuotedRate], preference: str, preferred_carrier: str | None = None
) -> list[QuotedRate]:
    """Best first: ``cheapest`` by price, then date; ``fastest`` by promised date, then price;
    ``preferred`` puts the preferred carrier's rates first, each group cheapest first. Ties
    keep the quote's order. Prices are compared converted into the reporting currency
    (:attr:`QuotedRate.converted`; the caller converts them first and leaves out those it
    cannot convert)."""

    def key(rate: QuotedRate) -> tuple[bool, Decimal | str, Decimal | str, int]:
        promised = rate.promised_date or NO_DATE
        later_group = preference == "preferred" and rate.carrier != preferred_carrier
        price = rate.comparable_price
        if preference == "fastest":
            return (later_group, promised, price, rate.position)
        return (later_group, price, promised, rate.position)

    return sorted(rates, key=key)


def choose_rate(
    rates: Sequence[QuotedRate],
    *,
    carrier: str | None,
    service: str | None,
    preference: str,
    preferred_carrier: str | None = None,
    unranked: Sequence[QuotedRate] = (),
) -> QuotedRate:
    """The rate named by carrier (and service), or else the best by the preference
    (:func:`rank_rates`), among the ranked ``rates``; a rate left ``unranked`` (no exchange
    rate for its currency) is never bought, even when named."""

    def named(r: QuotedRate) -> bool:
        return (carrier is None or r.carrier == carrier) and (
            service is None or r.service == service
        )

    candidates = [r for r in rates if named(r)]
    if not candidates and (carrier or service) and any(named(r) for r in unranked):
        wanted = "/".join(x for x in (carrier, service) if x)
        raise InvalidState(
            f"The {wanted} rate is in a currency with no exchange rate in force, so it was not "
            "ranked: add the exchange rate and ask for rates again.",
            code="no_exchange_rate",
        )
    if not rates:
        raise InvalidState(
            "There is no rate to buy: ask for rates first (POST .../rates).", code="no_rates"
        )
    if not candidates:
        wanted = "/".join(x for x in (carrier, service) if x)
        raise InvalidState(
            f"The last quote has no rate for {wanted}; ask for rates again.", code="no_such_rate"
        )
    return rank_rates(candidates, preference, preferred_carrier)[0]


def check_same_purchase(
    label_status: str,
    bought: tuple[str, str] | None,
    carrier: str | None,
    service: str | None,
) -> None:
    """Asking for a label again is harmless while it names nothing else: a label bought or
    being bought for another carrier or service has to be cancelled, or to fail, first."""
    if label_status not in (LabelStatus.PENDING, LabelStatus.PURCHASED) or bought is None:
        return
    if (carrier or bought[0], service or bought[1]) == bought:
        return
    what = f"{bought[0]}/{bought[1]}"
    if label_status == LabelStatus.PURCHASED:
        raise InvalidState(
            f"This shipment already has a {what} label; cancel it to buy another.",
            code="label_exists",
        )
    raise InvalidState(
        f"A {what} label is being bought; it must finish or fail before another is bought.",
        code="label_pending",
    )


def check_can_cancel_label(status: str, label_status: str) -> None:
    """A bought label is voided only while its goods are still in the warehouse."""
    check_can_buy_label(status)
    if label_status != LabelStatus.PURCHASED:
        raise InvalidState(
            f"This shipment's label is {label_status}: there is no bought label to cancel.",
            code="no_label",
        )


def check_can_buy_label(status: str) -> None:
    """Rates and labels are for a shipment still in the warehouse."""
    if status != ShipmentStatus.READY:
        raise InvalidState(
            f"This shipment is {status}; rates and labels are for ready shipments.",
            code="not_ready",
        )


def format_shipment_number(year: int, sequence: int) -> str:
    """``SH-2026-000123``."""
    return f"SH-{year:04d}-{sequence:06d}"


@dataclass(frozen=True)
class Quantity:
    """A SKU and a quantity: a shipment line, a package's content or a scanned line."""

    sku: str
    quantity: Decimal


def check_ship_lines(available: dict[str, Decimal], lines: Sequence[Quantity]) -> None:
    """Each line names a SKU of the order that was picked here, once, with
    0 < quantity ≤ picked and not yet shipped."""
    v = Violations()
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if line.sku not in available:
            v.add(f"lines.{i}.sku", "picked", f"Nothing of '{line.sku}' was picked for this order.")
            continue
        if line.sku in seen:
            v.add(f"lines.{i}.sku", "unique", f"SKU '{line.sku}' is listed twice.")
        seen.add(line.sku)
        if line.quantity <= 0:
            v.add(f"lines.{i}.quantity", "positive", "The quantity must be positive.")
        elif line.quantity > available[line.sku]:
            v.add(
                f"lines.{i}.quantity",
                "at_most_picked",
                f"Shipping {line.quantity} of {line.sku} is more than the "
                f"{available[line.sku]} picked and not yet shipped.",
            )
    v.raise_if_any()


def default_lines(available: dict[str, Decimal]) -> list[Quantity]:
    """Everything picked and not yet shipped, by SKU."""
    return [Quantity(sku, q) for sku, q in sorted(available.items()) if q > 0]


def check_packages(lines: Sequence[Quantity], packages: Sequence[Sequence[Quantity]]) -> None:
    """The packages' contents add up to the shipment lines, SKU by SKU."""
    v = Violations()
    wanted = {x.sku: x.quantity for x in lines}
    packed: dict[str, Decimal] = {}
    for i, contents in enumerate(packages):
        for j, item in enumerate(contents):
            if item.sku not in wanted:
                v.add(
                    f"packages.{i}.contents.{j}.sku",
                    "on_shipment",
                    f"SKU '{item.sku}' is not on this shipment.",
                )
            elif item.quantity <= 0:
                v.add(f"packages.{i}.contents.{j}.quantity", "positive", "Must be positive.")
            else:
                packed[item.sku] = packed.get(item.sku, ZERO) + item.quantity
    for sku, quantity in wanted.items():
        if packed.get(sku, ZERO) != quantity:
            v.add(
                "packages",
                "contents_match_lines",
                f"The packages hold {packed.get(sku, ZERO)} of {sku}; the shipment has {quantity}.",
            )
    v.raise_if_any("The package contents do not add up to the shipment lines.")


@dataclass(frozen=True)
class Difference:
    sku: str
    expected: Decimal
    scanned: Decimal


def verification_diff(
    expected: Sequence[Quantity], scanned: Sequence[Quantity]
) -> list[Difference]:
    """Per SKU (sorted), where the scanned goods differ from the shipment lines (a SKU scanned
    on several lines counts once, summed)."""
    want: dict[str, Decimal] = {}
    for x in expected:
        want[x.sku] = want.get(x.sku, ZERO) + x.quantity
    got: dict[str, Decimal] = {}
    for x in scanned:
        got[x.sku] = got.get(x.sku, ZERO) + x.quantity
    return [
        Difference(sku, want.get(sku, ZERO), got.get(sku, ZERO))
        for sku in sorted(set(want) | set(got))
        if want.get(sku, ZERO) != got.get(sku, ZERO)
    ]


def check_verification(expected: Sequence[Quantity], scanned: Sequence[Quantity]) -> None:
    """409 ``verification_mismatch`` listing every differing line."""
    diff = verification_diff(expected, scanned)
    if diff:
        raise Conflict(
            "The scanned goods differ from the shipment.",
            code="verification_mismatch",
            issues=[
                FieldIssue(
                    "lines",
                    "matches_shipment",
                    f"{d.sku}: expected {d.expected}, scanned {d.scanned}.",
                )
                for d in diff
            ],
        )


def check_can_verify(status: str) -> None:
    if status != ShipmentStatus.READY:
        raise InvalidState(f"This shipment is {status}; it cannot be verified.")


def check_can_confirm(
    status: str, verified: bool, *, label_needed: bool = False, label_status: str = "none"
) -> None:
    """Only a verified ready shipment is confirmed (a shipped one answers as it is), and one
    whose carrier needs a label only once the label is bought."""
    if status != ShipmentStatus.READY:
        raise InvalidState(f"This shipment is {status}; it cannot be confirmed.")
    if not verified:
        raise InvalidState(
            "Verify the shipment (scan its goods) before confirming it.", code="not_verified"
        )
    if label_needed and label_status != LabelStatus.PURCHASED:
        raise InvalidState(
            f"The carrier needs a label and this shipment's label is {label_status}: "
            "buy it first (POST .../label).",
            code="label_required",
        )


def check_can_deliver(status: str, own_fleet: bool) -> None:
    """Only a shipped own-fleet (or table-rate courier) shipment is delivered here; tracked
    carriers report their own deliveries."""
    if not own_fleet:
        raise InvalidState(
            "This shipment goes by carrier; its delivery comes from the carrier.",
            code="carrier_shipment",
        )
    if status != ShipmentStatus.SHIPPED:
        raise InvalidState(
            f"This shipment is {status}; it cannot be delivered.", code="not_shipped"
        )
