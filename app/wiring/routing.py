"""Delivery planning and dispatch on the bus."""

from __future__ import annotations

from app.services.bus import CommandHandler
from app.services.routing.dispatch import arrive_at_stop, fail_stop, start_route
from app.services.routing.plan_commands import (
    ArriveAtStop,
    FailStop,
    PlanDeliveries,
    ReplanDeliveries,
    StartRoute,
)
from app.services.routing.planning import plan_deliveries
from app.services.routing.replanning import replan_deliveries

COMMANDS: dict[type, CommandHandler] = {
    PlanDeliveries: plan_deliveries,
    ReplanDeliveries: replan_deliveries,
    StartRoute: start_route,
    ArriveAtStop: arrive_at_stop,
    FailStop: fail_stop,
}
