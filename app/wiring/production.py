"""Make-to-order on the bus: production requests planned, released and reported."""

from __future__ import annotations

from app.services.bus import CommandHandler
from app.services.production.commands import (
    CancelProductionRequest,
    CombineProductionRequests,
    CreateProductionRequest,
    PlanFromReorderPoints,
    RaiseProductionDelays,
    ReleaseProductionRequest,
    ReportProduction,
    SplitProductionRequest,
    UpdateProductionRequest,
)
from app.services.production.delays import raise_production_delays
from app.services.production.inbound import ReceiveProductionWebhook, receive_production_webhook
from app.services.production.planning import (
    cancel_request,
    create_request,
    release_request,
    update_request,
)
from app.services.production.reporting import report_production
from app.services.production.reshaping import combine_requests, split_request
from app.services.production.to_stock import plan_from_reorder_points

COMMANDS: dict[type, CommandHandler] = {
    CreateProductionRequest: create_request,
    UpdateProductionRequest: update_request,
    ReleaseProductionRequest: release_request,
    CancelProductionRequest: cancel_request,
    SplitProductionRequest: split_request,
    CombineProductionRequests: combine_requests,
    ReportProduction: report_production,
    ReceiveProductionWebhook: receive_production_webhook,
    RaiseProductionDelays: raise_production_delays,
    PlanFromReorderPoints: plan_from_reorder_points,
}
