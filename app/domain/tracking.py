"""Tracking: one set of statuses for every carrier, and the rule that a shipment's status
follows its events in the order they happened, not the order they arrived.

- A shipment's tracking status is the status of its latest event by event time; two events at
  the same moment are ordered by how far along they are (:data:`PROGRESS`), then alerting
  last (:meth:`Observed.key`).
- ``delivered`` and ``returned_to_sender`` are final: no later event moves a shipment away,
  and one reaches its final status even when that event arrives after later-timed ones.
- ``delivery_failed``, ``returned_to_sender`` and ``exception`` need someone to act: each new
  such event raises an alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TrackingStatus(StrEnum):
    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED_TO_SENDER = "returned_to_sender"
    EXCEPTION = "exception"


# How far along a status is; used only to order events that happened at the same moment.
PROGRESS: dict[TrackingStatus, int] = {
    TrackingStatus.LABEL_CREATED: 0,
    TrackingStatus.PICKED_UP: 1,
    TrackingStatus.IN_TRANSIT: 2,
    TrackingStatus.EXCEPTION: 2,
    TrackingStatus.OUT_FOR_DELIVERY: 3,
    TrackingStatus.DELIVERY_FAILED: 4,
    TrackingStatus.DELIVERED: 5,
    TrackingStatus.RETURNED_TO_SENDER: 5,
}
FINAL = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURNED_TO_SENDER})
ALERTING = frozenset(
    {
        TrackingStatus.DELIVERY_FAILED,
        TrackingStatus.RETURNED_TO_SENDER,
        TrackingStatus.EXCEPTION,
    }
)


@dataclass(frozen=True)
class Observed:
    """A status at a moment: an event, or a shipment's current tracking state."""

    status: TrackingStatus
    at: datetime

    def key(self) -> tuple[datetime, int, bool, str]:
        """A total order: by time, then progress; of two statuses equally far along at the
        same moment the alerting one counts as later (someone must act on it), and the name
        breaks any remaining tie, so the order never depends on arrival."""
        return (self.at, PROGRESS[self.status], self.status in ALERTING, self.status.value)


def later(current: Observed | None, event: Observed) -> bool:
    """Whether ``event`` replaces ``current`` as the shipment's tracking status. A final
    event ends tracking even when it arrives after a later-timed one (a ``delivered`` scan
    delivered late by the carrier still delivers), so the status a shipment ends in does not
    depend on the order its events arrived in."""
    if current is None:
        return True
    if current.status in FINAL:
        return False
    if event.status in FINAL:
        return True
    return event.key() > current.key()


def fold(current: Observed | None, events: Iterable[Observed]) -> Observed | None:
    """The tracking status after ``events``, whatever order they arrive in."""
    for event in sorted(events, key=Observed.key):
        if later(current, event):
            current = event
    return current


@dataclass(frozen=True)
class TrackingChange:
    """What a batch of carrier events does to a shipment: the events its timeline did not
    have yet (oldest first) and its tracking status before and after them."""

    new: tuple[Observed, ...]
    before: Observed | None
    after: Observed | None

    @property
    def changed(self) -> bool:
        return self.after != self.before

    @property
    def alerts(self) -> tuple[Observed, ...]:
        """The new events someone has to act on (each raises one alert, once)."""
        return tuple(e for e in self.new if e.status in ALERTING)

    @property
    def delivered(self) -> bool:
        return self.after is not None and self.after.status == TrackingStatus.DELIVERED


def take_events(
    current: Observed | None, stored: Iterable[Observed], incoming: Iterable[Observed]
) -> TrackingChange:
    """Add ``incoming`` to a timeline holding ``stored``: an event already there (same status
    at the same moment) is ignored, as is a repeat within ``incoming``; the status folds over
    the rest (:func:`fold`), so a late-arriving older event never moves it backwards."""
    seen = set(stored)
    new: list[Observed] = []
    for event in sorted(incoming, key=Observed.key):
        if event not in seen:
            seen.add(event)
            new.append(event)
    return TrackingChange(tuple(new), current, fold(current, new))


def same_carrier_shipment(event_shipment: str | None, label_shipment: str | None) -> bool:
    """Whether a carrier's event is about the label: carriers that say which of their
    shipments an event is of (EasyPost trackers: ``shipment_id``, "" for a tracker of none)
    may report the same tracking code for several; an event counts for the label only when
    it is of the label's shipment. When either side does not say, the tracking code decides."""
    if event_shipment is None or label_shipment is None:
        return True
    return event_shipment == label_shipment
