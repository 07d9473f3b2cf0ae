"""How Lading and a carrier talk, beyond the terms that select it: who may point a carrier at
another endpoint, and which carriers may say they send webhooks."""

from __future__ import annotations

from app.domain.errors import FieldIssue

# Pointing a carrier at another endpoint sends its stored API key there: people with the admin
# scope only (a warehouse user or a `warehouses:write` key may change everything else).
ENDPOINT_SCOPE = "admin"


def webhooks_issue(webhooks: bool, adapter_kind: str, accepts_webhooks: bool) -> FieldIssue | None:
    """A carrier may say it sends tracking webhooks only when its adapter can verify them
    (``/api/v1/webhooks/carriers/{code}`` answers 404 for the others)."""
    if webhooks and not accepts_webhooks:
        return FieldIssue(
            "webhooks",
            "webhooks_unsupported",
            f"Lading takes no tracking webhooks from {adapter_kind} carriers; "
            "set webhooks to false.",
        )
    return None
