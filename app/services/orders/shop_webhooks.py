"""A shop's webhook: verified over the raw body outside any transaction (401 only for a
missing or forged signature), kept once per (connection, webhook id) in the inbox, then
applied. Whatever Lading refuses for business reasons is answered 200 — Shopify retries a
non-2xx answer for 48 hours and then removes the webhook — and kept as a rejected intake.

A repeat of a settled delivery answers ``duplicate``; a delivery whose first attempt never
settled (a crash in between) is applied again, which is safe: the Lading order is placed once
per (channel, external_ref) whatever the inbox says."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.errors import BadSignature, NotFound
from app.domain.storefronts import signatures
from app.repositories.storefront_repo import RECEIVED
from app.repositories.storefronts import StorefrontConnection
from app.services.bus import Context
from app.services.common import retrying
from app.services.orders.shop_commands import ReceiveStorefrontWebhook
from app.services.orders.shop_orders import apply_webhook
from app.services.orders.shop_outcome import Outcome
from app.services.orders.shop_rejections import reject
from app.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
_PING = re.compile(rb"^webhook_id=\d{1,20}$")

# platform → (topic, webhook id, signature) headers
HEADERS = {
    "shopify": ("x-shopify-topic", "x-shopify-webhook-id", "x-shopify-hmac-sha256"),
    "woocommerce": ("x-wc-webhook-topic", "x-wc-webhook-delivery-id", "x-wc-webhook-signature"),
}


@dataclass(frozen=True)
class Delivery:
    topic: str
    webhook_id: str
    body: Any  # the parsed JSON, or None when it is not JSON


async def receive_webhook(cmd: ReceiveStorefrontWebhook, uow: UnitOfWork, ctx: Context) -> Outcome:
    async with uow:
        connection = await uow.storefronts.get_by_code(cmd.connection_code)
    if connection is None or not connection.active:
        raise NotFound(f"No active storefront connection '{cmd.connection_code}'.")
    topic_header, id_header, signature_header = HEADERS[connection.platform]
    if (
        connection.platform == "woocommerce"
        and topic_header not in cmd.headers
        and _PING.match(cmd.raw_body.strip())
    ):
        return Outcome("ping")  # WooCommerce's unsigned ping when a webhook is created
    if not signatures.valid(
        connection.webhook_secret or "", cmd.raw_body, cmd.headers.get(signature_header)
    ):
        log.warning("storefront.webhook_refused", extra={"connection": connection.code})
        raise BadSignature("The webhook's signature is missing or does not match.")
    delivery = _delivery(cmd.headers, cmd.raw_body, topic_header, id_header)
    return await _take(uow, ctx, connection, delivery, cmd.received_at)


def _delivery(
    headers: Mapping[str, str], raw: bytes, topic_header: str, id_header: str
) -> Delivery:
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        body = None
    webhook_id = (headers.get(id_header) or "").strip()[:200]
    if not webhook_id:  # not sent: the same body is the same delivery
        webhook_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    return Delivery((headers.get(topic_header) or "").strip()[:64], webhook_id, body)


async def _take(
    uow: UnitOfWork,
    ctx: Context,
    connection: StorefrontConnection,
    delivery: Delivery,
    now: datetime,
) -> Outcome:
    seen = await _keep(uow, connection, delivery, now)
    if seen is not None and seen != RECEIVED:
        return Outcome("duplicate")
    outcome = await apply_webhook(uow, ctx, connection, delivery.topic, delivery.body)
    if outcome.rejection is not None:
        await reject(uow, connection, delivery.webhook_id, delivery.topic, outcome, now)
    else:
        await _settle(uow, connection, delivery.webhook_id, outcome.status)
    log.info(
        "storefront.webhook_received",
        extra={
            "connection": connection.code,
            "webhook_id": delivery.webhook_id,
            "topic": delivery.topic,
            "outcome": outcome.status,
        },
    )
    return outcome


@retrying
async def _keep(
    uow: UnitOfWork, connection: StorefrontConnection, delivery: Delivery, now: datetime
) -> str | None:
    async with uow:
        seen = await uow.storefronts.receive(
            connection.id, delivery.webhook_id, delivery.topic, now
        )
        await uow.commit()
    return seen


@retrying
async def _settle(
    uow: UnitOfWork, connection: StorefrontConnection, webhook_id: str, status: str
) -> None:
    async with uow:
        await uow.storefronts.settle(connection.id, webhook_id, status)
        await uow.commit()
