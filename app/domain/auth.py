"""Roles, scopes and who may do what (DESIGN §7).

One mechanism serves people and integrations: a role grants a set of scopes, an API key
carries scopes directly, and every route asks for one scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    SALES = "sales"
    SALES_MANAGER = "sales_manager"
    FINANCE = "finance"
    WAREHOUSE = "warehouse"
    VIEWER = "viewer"


RESOURCES = (
    "customers",
    "suppliers",
    "products",
    "price-lists",
    "warehouses",
    "stock",
    "orders",
    "invoices",
    "payments",
    "ledger",
    "webhooks",
    "notifications",
    "alerts",
    "cases",
    "returns",
    "production",
)
# orders:price-override: set a unit price other than the one pricing resolves.
# orders:approve: approve, reject, hold and release (the review decides which role each needs).
# orders:payment: report a payment, at intake or later (storefront callbacks, finance); a key
#   reports only for orders of the channel it is bound to (app.domain.payments).
# customers:credit: decide a customer's credit — its credit limit, payment terms, status and
#   currency — and create one with more credit than LADING_NEW_CUSTOMER_CREDIT_LIMIT_MAX.
# returns:approve: approve or refuse a return (the review settings name the roles as well).
# production:write: plan production requests (create, edit, split, combine, release, cancel)
#   and report their progress in place of the production system — the warehouse's
#   operations planners.
# returns:receive: receive and inspect returned goods at a warehouse, release or scrap
#   quarantined goods. Refunding a return is a finance decision: invoices:write and
#   payments:write (the credit note and the refund).
CUSTOMERS_CREDIT = "customers:credit"
ORDERS_PAYMENT = "orders:payment"
RETURNS_APPROVE = "returns:approve"
RETURNS_RECEIVE = "returns:receive"
# storefronts:intakes: read the webhooks a shop sent that Lading refused (sales follows them
#   up); the connections themselves (URLs, secrets) are the administrator's ("admin").
STOREFRONT_INTAKES = "storefronts:intakes"
SCOPES: frozenset[str] = frozenset(
    {f"{r}:read" for r in RESOURCES}
    | {f"{r}:write" for r in RESOURCES}
    | {"admin", "orders:price-override", "orders:approve", ORDERS_PAYMENT, CUSTOMERS_CREDIT}
    | {RETURNS_APPROVE, RETURNS_RECEIVE, STOREFRONT_INTAKES}
)
# webhooks:*: the outbound webhook endpoints (their URLs, secrets and delivery log) are the
#   administrator's. notifications:read: what was sent to which customer (contact data);
#   notifications:write: the templates. alerts:write: acknowledge and resolve alerts.
STAFF_ONLY = frozenset({"webhooks:read", "webhooks:write", "notifications:read"})
READ_ALL = frozenset(s for s in SCOPES if s.endswith(":read")) - STAFF_ONLY

ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.ADMIN: SCOPES,
    Role.SALES: READ_ALL
    | {
        STOREFRONT_INTAKES,
        "orders:write",
        "customers:write",
        "notifications:read",
        "alerts:write",
        "cases:write",
        "returns:write",
    },
    Role.SALES_MANAGER: READ_ALL
    | {
        STOREFRONT_INTAKES,
        "orders:write",
        "orders:price-override",
        "orders:approve",
        "customers:write",
        "products:write",
        "price-lists:write",
        "notifications:read",
        "alerts:write",
        "cases:write",
        "returns:write",
        RETURNS_APPROVE,
    },
    Role.FINANCE: READ_ALL
    | {
        "customers:write",
        CUSTOMERS_CREDIT,
        "orders:approve",
        ORDERS_PAYMENT,
        "invoices:write",
        "payments:write",
        "notifications:read",
        "alerts:write",
        "cases:write",
        RETURNS_APPROVE,
    },
    Role.WAREHOUSE: READ_ALL
    | {
        "stock:write",
        "warehouses:write",
        "suppliers:write",
        "alerts:write",
        "cases:write",
        RETURNS_RECEIVE,
        "production:write",
    },
    Role.VIEWER: READ_ALL,
}

# Scopes an integration key may hold; "admin", approving, credit decisions, invoicing and
# settling money are for people (finance).
API_KEY_SCOPES: frozenset[str] = SCOPES - {
    "admin",
    "orders:approve",
    CUSTOMERS_CREDIT,
    "invoices:write",
    "payments:write",
    "ledger:write",
    "webhooks:read",
    "webhooks:write",
    "notifications:read",
    "notifications:write",
    "alerts:write",
    RETURNS_APPROVE,
    RETURNS_RECEIVE,
    STOREFRONT_INTAKES,
}


def scopes_for_roles(roles: list[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_SCOPES.get(Role(role), frozenset())
    return frozenset(granted)


@dataclass(frozen=True)
class Principal:
    """Whoever is calling: a user (with roles) or an integration key (with scopes)."""

    subject_id: str
    name: str
    kind: str  # "user" or "api_key"
    roles: tuple[str, ...]
    scopes: frozenset[str]
    channel: str | None = None  # the sales channel an integration key is bound to

    @property
    def actor(self) -> str:
        """How audit records name this caller."""
        return f"{self.kind}:{self.name}"

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise PermissionDenied(f"This action needs the '{scope}' permission.")
