"""Storefront connectors on the bus: connections (admin), and shops' webhooks (order intake)."""

from __future__ import annotations

from app.services.bus import CommandHandler
from app.services.orders.shop_commands import ReceiveStorefrontWebhook
from app.services.orders.shop_webhooks import receive_webhook
from app.services.storefronts.commands import (
    CreateStorefrontConnection,
    UpdateStorefrontConnection,
)
from app.services.storefronts.connections import create_connection, update_connection

COMMANDS: dict[type, CommandHandler] = {
    CreateStorefrontConnection: create_connection,
    UpdateStorefrontConnection: update_connection,
    ReceiveStorefrontWebhook: receive_webhook,
}
