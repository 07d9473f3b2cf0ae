"""Delivery plans (运输计划): one per depot and day, its routes (one per vehicle used) and
their stops (one per shipment), and what dispatch may do to them.

- A route is planned → started (the vehicle left; its shipments are confirmed) → finished
  (every stop delivered or failed). A stop is planned → arrived → delivered or failed.
- A re-plan keeps every stop already delivered or failed where it is, keeps the goods of a
  started route on its vehicle (reordered from where the vehicle is now), and plans every
  other open stop, and any new ready shipment, again. A finished route is never re-planned.
"""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import InvalidState


class RouteStatus(StrEnum):
    PLANNED = "planned"
    STARTED = "started"
    FINISHED = "finished"


class StopStatus(StrEnum):
    PLANNED = "planned"
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    FAILED = "failed"


OPEN_STOPS = frozenset({StopStatus.PLANNED, StopStatus.ARRIVED})
DONE_STOPS = frozenset({StopStatus.DELIVERED, StopStatus.FAILED})


class ReplanReason(StrEnum):
    STOP_FAILED = "stop_failed"
    VEHICLE_BREAKDOWN = "vehicle_breakdown"
    URGENT_SHIPMENT = "urgent_shipment"
    OTHER = "other"


class Unplannable(StrEnum):
    """Why a stop could not be planned (each with a sentence in ``REASONS``)."""

    NO_COORDINATES = "no_coordinates"
    CLOSED_THAT_DAY = "closed_that_day"
    TOO_HEAVY = "too_heavy"
    TOO_BULKY = "too_bulky"
    GOODS_CLASS_NOT_CARRIED = "goods_class_not_carried"
    WINDOW_UNREACHABLE = "window_unreachable"
    FLEET_FULL = "fleet_full"


REASONS = {
    Unplannable.NO_COORDINATES: "The ship-to has no coordinates (geocoding is not done here).",
    Unplannable.CLOSED_THAT_DAY: "The ship-to takes no deliveries on that weekday.",
    Unplannable.TOO_HEAVY: "Heavier than any vehicle of the depot can carry.",
    Unplannable.TOO_BULKY: "Bulkier than any vehicle of the depot can carry.",
    Unplannable.GOODS_CLASS_NOT_CARRIED: "No vehicle of the depot carries its goods classes.",
    Unplannable.WINDOW_UNREACHABLE: "No vehicle can reach it inside its delivery window.",
    Unplannable.FLEET_FULL: "The fleet's capacity and shifts are taken by other stops.",
}


def check_can_start(status: str) -> None:
    if status != RouteStatus.PLANNED:
        raise InvalidState(
            f"This route is {status}; only a planned route starts.", code="route_not_planned"
        )


def check_route_open(status: str) -> None:
    """Dispatch (arrival, failure, breakdown) needs a started route."""
    if status != RouteStatus.STARTED:
        raise InvalidState(
            f"This route is {status}; stops are recorded on a started route.",
            code="route_not_started",
        )


def check_can_replan_route(status: str) -> None:
    if status == RouteStatus.FINISHED:
        raise InvalidState(
            "This route is finished; there is nothing left on it to re-plan.",
            code="route_finished",
        )


def check_can_arrive(status: str) -> None:
    if status != StopStatus.PLANNED:
        raise InvalidState(
            f"This stop is {status}; arrival is recorded once.", code="stop_not_open"
        )


def check_can_fail(status: str) -> None:
    if status not in OPEN_STOPS:
        raise InvalidState(f"This stop is {status}; it cannot fail now.", code="stop_not_open")


def route_done(stop_statuses: list[str]) -> bool:
    """A started route is finished once none of its stops is still open."""
    return bool(stop_statuses) and all(s in DONE_STOPS for s in stop_statuses)


def format_plan_number(year: int, sequence: int) -> str:
    return f"DP-{year}-{sequence:06d}"
