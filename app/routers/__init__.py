"""Every router, in the order they appear in the OpenAPI document, with their tags."""

from fastapi import APIRouter

from app.routers import (
    admin,
    allocation,
    auth,
    carriers,
    customers,
    exchange_rates,
    health,
    order_imports,
    order_review,
    orders,
    picking,
    price_lists,
    products,
    purchasing,
    settings,
    shipments,
    stock,
    suppliers,
    tracking,
    transfers,
    warehouses,
)

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    customers.router,
    suppliers.router,
    products.router,
    price_lists.router,
    warehouses.router,
    carriers.router,
    exchange_rates.router,
    stock.router,
    purchasing.replenishment,
    purchasing.router,
    transfers.router,
    picking.router,
    shipments.router,
    tracking.router,
    tracking.webhooks,
    tracking.public,
    order_imports.router,
    orders.router,
    order_review.router,
    order_review.approvals,
    order_review.credit,
    allocation.router,
    allocation.backorders,
    settings.router,
    admin.router,
]

TAGS = [
    {"name": "health", "description": "Liveness, readiness and metrics (no credentials)."},
    {"name": "auth", "description": "Sign-in, the current caller, users and API keys."},
    {"name": "customers", "description": "Customers: contacts, addresses, credit and terms."},
    {"name": "suppliers", "description": "Suppliers and their lead times."},
    {"name": "products", "description": "Products: units, physical data, prices, replenishment."},
    {"name": "price-lists", "description": "Customer and group price lists with quantity breaks."},
    {"name": "warehouses", "description": "Warehouses and bin locations."},
    {"name": "carriers", "description": "Carriers: coverage, limits, rate tables, selection."},
    {
        "name": "exchange-rates",
        "description": "Dated exchange rates; carrier quotes are ranked in the reporting currency.",
    },
    {"name": "stock", "description": "Stock movements (the ledger), levels and availability."},
    {
        "name": "replenishment",
        "description": "What to buy (补货): shortages and reorder points, by supplier.",
    },
    {
        "name": "purchase-orders",
        "description": "Purchase orders: draft, send, receive into stock, cancel.",
    },
    {
        "name": "transfers",
        "description": "Transfer orders between warehouses: ship, receive in parts, discrepancies.",
    },
    {
        "name": "pick-lists",
        "description": "Pick lists (拣货单): reserved stock grouped along the walking path.",
    },
    {
        "name": "shipments",
        "description": "Shipments (发货单): verify, confirm (发货确认), own-fleet delivery.",
    },
    {
        "name": "webhooks",
        "description": "Inbound webhooks: carriers' tracking events, signed (no credentials).",
    },
    {
        "name": "tracking",
        "description": "Public parcel tracking behind an unguessable link (no credentials).",
    },
    {"name": "orders", "description": "Sales orders from every channel: intake, drafts, search."},
    {
        "name": "settings",
        "description": "Settings an admin changes: review thresholds, approvers, release roles.",
    },
    {"name": "approvals", "description": "The queue of orders waiting for your approval."},
    {"name": "backorders", "description": "Order quantities waiting for stock."},
    {"name": "admin", "description": "Administration: the invariant check."},
]
