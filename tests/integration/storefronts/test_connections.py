"""Shop connections: admin only, secrets write-only and dropped with a changed base URL."""

from __future__ import annotations

from tests.integration.storefronts.support import PUBLIC, connect, deliver, shopify_order
from tests.support import assert_problem

SECRETS = ("webhook_secret", "access_token", "consumer_key", "consumer_secret")


async def test_secrets_are_never_answered(client, auth, unique) -> None:
    admin = await auth.as_role("admin")
    created = await connect(client, admin, f"s-{unique}")
    assert created["has_webhook_secret"] is True
    assert created["has_api_credentials"] is True
    assert created["webhook_url"] == f"/api/v1/webhooks/storefronts/s-{unique}"
    read = await client.get(f"/api/v1/storefront-connections/{created['id']}", headers=admin)
    for text in (str(created), read.text):
        assert "shpss_test" not in text and "shpat_secret" not in text
    assert not set(SECRETS) & read.json().keys()


async def test_a_new_base_url_drops_the_stored_secrets(client, app, auth, unique) -> None:
    admin = await auth.as_role("admin")
    code = f"s-{unique}"
    created = await connect(client, admin, code)
    url = f"/api/v1/storefront-connections/{created['id']}"
    moved = await client.patch(
        url, json={"base_url": "https://93.184.216.35"}, headers={**admin, "If-Match": '"1"'}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["has_webhook_secret"] is False
    assert moved.json()["has_api_credentials"] is False
    refused = await deliver(client, code, shopify_order(unique), "orders/create")
    assert refused.status_code == 401  # the old secret no longer signs anything
    again = await client.patch(
        url,
        json={"base_url": PUBLIC, "webhook_secret": "new-secret"},
        headers={**admin, "If-Match": f'"{moved.json()["version"]}"'},
    )
    assert again.json()["has_webhook_secret"] is True
    assert again.json()["has_api_credentials"] is False
    stale = await client.patch(url, json={"name": "x"}, headers={**admin, "If-Match": '"1"'})
    assert_problem(stale, 412)


async def test_only_admins_connect_shops(client, auth, unique) -> None:
    for role in ("sales", "warehouse", "finance"):
        response = await client.post(
            "/api/v1/storefront-connections",
            json={"code": "x", "name": "x", "platform": "shopify", "base_url": PUBLIC},
            headers=await auth.as_role(role),
        )
        assert_problem(response, 403)


async def test_private_base_urls_and_broken_rules_are_422(client, auth, unique) -> None:
    admin = await auth.as_role("admin")
    body = {"code": f"p-{unique}", "name": "x", "platform": "shopify"}
    private = await client.post(
        "/api/v1/storefront-connections",
        json={**body, "base_url": "https://10.0.0.5"},
        headers=admin,
    )
    assert_problem(private, 422, field="base_url")
    account = await client.post(
        "/api/v1/storefront-connections",
        json={**body, "base_url": PUBLIC, "customer_mode": "account"},
        headers=admin,
    )
    assert_problem(account, 422, field="account_customer_id")
