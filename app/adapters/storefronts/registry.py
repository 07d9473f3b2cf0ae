"""Which gateway speaks for a storefront platform, over the app's shared outbound client (the
guarded one: a shop's URL passes the outbound URL rule on every request)."""

from __future__ import annotations

import httpx

from app.adapters.storefronts.base import Platform, StorefrontGateway
from app.adapters.storefronts.shopify import ShopifyGateway
from app.adapters.storefronts.wire import DEFAULT_TIMEOUT_S
from app.adapters.storefronts.woocommerce import WooCommerceGateway

PLATFORMS: tuple[Platform, ...] = ("shopify", "woocommerce")


def gateway_for(
    platform: Platform | str, client: httpx.AsyncClient, *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> StorefrontGateway:
    """The platform's gateway; ``ValueError`` for a platform Lading has no adapter for."""
    if platform == "shopify":
        return ShopifyGateway(client, timeout_s=timeout_s)
    if platform == "woocommerce":
        return WooCommerceGateway(client, timeout_s=timeout_s)
    raise ValueError(f"No storefront adapter for platform {platform!r}.")
