"""Every router, in the order they appear in the OpenAPI document, with their tags."""

from fastapi import APIRouter

from app.routers import (
    admin,
    alerts,
    allocation,
    auth,
    bank_statements,
    carriers,
    case_public,
    cases,
    credit_notes,
    customers,
    delivery_plans,
    documents,
    exchange_rates,
    finance_documents,
    health,
    invoices,
    invoicing_runs,
    ledger,
    notifications,
    order_imports,
    order_review,
    orders,
    payments,
    picking,
    price_lists,
    production,
    products,
    purchasing,
    receivables,
    reports,
    reports_after_sales,
    reports_carriers,
    reports_receivables,
    return_labels,
    return_receipts,
    return_resolution,
    returns,
    settings,
    shipment_labels,
    shipments,
    stock,
    storefronts,
    stream,
    suppliers,
    tracking,
    transfers,
    vehicles,
    warehouses,
    webhook_endpoints,
)

ROUTERS: list[APIRouter] = [
    health.router,
    # First after the probes: FastAPI matches a request against the routes in order, and the
    # storefront's POST /orders is the hottest path (imports before it: /orders/imports is
    # not /orders/{id}).
    order_imports.router,
    orders.router,
    auth.router,
    # before the resources they print: /invoices/{id}.pdf is not /invoices/{id}
    finance_documents.router,
    customers.router,
    suppliers.router,
    products.router,
    price_lists.router,
    warehouses.router,
    vehicles.router,
    carriers.router,
    exchange_rates.router,
    stock.router,
    purchasing.replenishment,
    purchasing.router,
    transfers.router,
    # before pick-lists and shipments: /pick-lists/{id}.pdf must not reach /pick-lists/{id}
    documents.router,
    picking.router,
    shipments.router,
    shipment_labels.router,
    tracking.router,
    tracking.webhooks,
    storefronts.webhooks,
    tracking.public,
    delivery_plans.router,
    order_review.router,
    order_review.approvals,
    order_review.credit,
    allocation.router,
    allocation.backorders,
    invoices.router,
    payments.router,
    payments.refunds,
    credit_notes.router,
    bank_statements.router,
    bank_statements.lines,
    invoicing_runs.router,
    receivables.router,
    reports.router,
    reports_after_sales.router,
    reports_carriers.router,
    reports_receivables.router,
    ledger.router,
    settings.router,
    admin.router,
    notifications.router,
    alerts.router,
    returns.router,
    cases.router,
    case_public.public,
    return_receipts.router,
    return_resolution.router,
    return_labels.router,
    production.router,
    production.webhooks,
    webhook_endpoints.router,
    storefronts.router,
    stream.router,
]

TAGS = [
    {"name": "health", "description": "Liveness, readiness and metrics (no credentials)."},
    {"name": "auth", "description": "Sign-in, the current caller, users and API keys."},
    {"name": "customers", "description": "Customers: contacts, addresses, credit and terms."},
    {"name": "suppliers", "description": "Suppliers and their lead times."},
    {"name": "products", "description": "Products: units, physical data, prices, replenishment."},
    {"name": "price-lists", "description": "Customer and group price lists with quantity breaks."},
    {
        "name": "warehouses",
        "description": "Warehouses and bin locations; depots' time zone and routing settings.",
    },
    {
        "name": "vehicles",
        "description": "The own fleet's vehicles: depot, capacity, shift, costs, goods classes.",
    },
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
        "name": "documents",
        "description": "Printed documents as PDF: pick lists (拣货单), delivery notes (发货单), "
        "packing slips (装箱单), shipping labels (面单), batches; invoices (发票), customer "
        "statements (对账单), driver manifests (派车单), return authorisations (退货授权).",
    },
    {
        "name": "shipments",
        "description": "Shipments (发货单): verify, confirm (发货确认), own-fleet delivery.",
    },
    {
        "name": "delivery-plans",
        "description": "Own-fleet delivery plans (运输计划): routes with time windows, driver "
        "manifests (派车单), dispatch and re-planning.",
    },
    {
        "name": "webhooks",
        "description": "Inbound webhooks: carriers' tracking events and the production "
        "system's reports, signed (no credentials).",
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
    {
        "name": "invoices",
        "description": "Invoices (发票) from shipments, by policy or by hand; issue and void.",
    },
    {
        "name": "payments",
        "description": "Payments (结算): receive, apply to invoices, unapply, reverse (bounced).",
    },
    {"name": "refunds", "description": "Refunds of unapplied customer credit (退款)."},
    {
        "name": "credit-notes",
        "description": "Credit notes (红字发票) for returned goods, price adjustments, discounts.",
    },
    {
        "name": "bank-statements",
        "description": "Bank statements (结算): import received transfers, match them to invoices.",
    },
    {
        "name": "invoicing",
        "description": "Periodic invoicing (月结) runs: a closed week or month billed at once.",
    },
    {
        "name": "reports",
        "description": "Reports (数据分析): sales, fulfilment, stock, carriers, receivables and "
        "after-sales, from summaries the worker keeps up to date from the event stream; JSON, "
        "CSV or XLSX (Chinese headers for zh-CN).",
    },
    {
        "name": "receivables",
        "description": "Receivables (应收账款): customer statements (对账单), aging and DSO.",
    },
    {
        "name": "ledger",
        "description": "The books: trial balance and the journal export for the general ledger.",
    },
    {"name": "admin", "description": "Administration: the invariant check."},
    {
        "name": "notifications",
        "description": "Customer notifications: the log of what was sent, templates (admins).",
    },
    {
        "name": "alerts",
        "description": "Exception alerts (预警) for the role that must act: acknowledge, resolve.",
    },
    {
        "name": "cases",
        "description": "Service cases (售后工单): timeline, targets and resolution; delivery "
        "feedback.",
    },
    {
        "name": "returns",
        "description": "Returns (RMA, 退货): request, approval, return labels, receiving and "
        "inspection, refund, replacement or exchange.",
    },
    {
        "name": "production",
        "description": "Make-to-order (生产计划): production requests (MO) from shortages or "
        "planners, released to the production system, its progress and completions.",
    },
    {
        "name": "webhook-endpoints",
        "description": "Outbound webhooks (Standard Webhooks): endpoints, secrets, deliveries, "
        "replay.",
    },
    {
        "name": "stream",
        "description": "The live stream: events as they happen (Server-Sent Events).",
    },
    {
        "name": "storefronts",
        "description": "Shopify and WooCommerce shops: connections and refused webhooks.",
    },
]
