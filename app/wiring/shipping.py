"""Carriers, rates, labels and tracking on the bus."""

from __future__ import annotations

from app.services.bus import CommandHandler
from app.services.shipments.carriers.commands import CreateCarrier, UpdateCarrier
from app.services.shipments.carriers.master_data import create_carrier, update_carrier
from app.services.shipments.labels.buy import buy_label
from app.services.shipments.labels.commands import BuyLabel, RetryPendingLabels, VoidLabel
from app.services.shipments.labels.retry import retry_pending_labels
from app.services.shipments.labels.void import void_label
from app.services.shipments.rates.commands import QuoteRates
from app.services.shipments.rates.quote import quote_rates
from app.services.shipments.return_labels.buy import buy_return_label
from app.services.shipments.return_labels.commands import BuyReturnLabel, ScheduleReturnPickup
from app.services.shipments.return_labels.pickup import schedule_pickup
from app.services.shipments.tracking.commands import PollTracking, ReceiveTrackingWebhook
from app.services.shipments.tracking.inbox import receive_webhook
from app.services.shipments.tracking.poll import poll_tracking

COMMANDS: dict[type, CommandHandler] = {
    CreateCarrier: create_carrier,
    UpdateCarrier: update_carrier,
    QuoteRates: quote_rates,
    BuyLabel: buy_label,
    RetryPendingLabels: retry_pending_labels,
    VoidLabel: void_label,
    ReceiveTrackingWebhook: receive_webhook,
    PollTracking: poll_tracking,
    BuyReturnLabel: buy_return_label,
    ScheduleReturnPickup: schedule_pickup,
}
