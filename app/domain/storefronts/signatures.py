"""Shopify and WooCommerce sign a webhook the same way: the base64 HMAC-SHA256 of the raw
body under the shared secret, in ``X-Shopify-Hmac-Sha256`` / ``X-WC-Webhook-Signature``
(https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify,
WooCommerce ``WC_Webhook::generate_signature``). Neither sends a timestamp: a replay is a
redelivery of the same webhook id, which the inbox answers as a duplicate."""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def valid(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret`` (constant time)."""
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())
