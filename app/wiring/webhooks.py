"""Outbound webhook endpoints on the bus."""

from __future__ import annotations

from app.services.bus import CommandHandler
from app.services.webhooks import endpoints, replay
from app.services.webhooks.commands import (
    CreateWebhookEndpoint,
    DisableWebhookEndpoint,
    EnableWebhookEndpoint,
    ReplayWebhookEvents,
    RotateWebhookSecret,
    UpdateWebhookEndpoint,
)

COMMANDS: dict[type, CommandHandler] = {
    CreateWebhookEndpoint: endpoints.create_endpoint,
    UpdateWebhookEndpoint: endpoints.update_endpoint,
    RotateWebhookSecret: endpoints.rotate_secret,
    EnableWebhookEndpoint: endpoints.enable_endpoint,
    DisableWebhookEndpoint: endpoints.disable_endpoint,
    ReplayWebhookEvents: replay.replay_events,
}
