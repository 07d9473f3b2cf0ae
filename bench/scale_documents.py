"""The documents after delivery for ``bench.scale``, made by SQL passes over the loaded orders
and shipments (``INSERT … SELECT``, no rows through Python): carriers and the shipments'
carrier, service, cost, packages, promised date and tracking in ``bench.scale_shipping``;
invoices, payments, credit notes and the books in ``bench.scale_billing``; returns and service
cases in ``bench.scale_after_sales``.

Deterministic for the seed: every draw is a hash of a row's id (the ids come from the seeded
generator), every new id an md5 of a row's id (``pg_temp.r`` and ``pg_temp.uid``).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from bench import scale_after_sales, scale_billing, scale_shipping

FUNCTIONS = [
    # A uniform draw in [0, 1) from a row's id and a salt (one salt per decision).
    """CREATE FUNCTION pg_temp.r(id uuid, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE
       PARALLEL SAFE AS
       $$ SELECT (hashtextextended($1::text, $2) & 281474976710655)::float8 / 281474976710656 $$""",
    # A new id derived from a row's id (a different salt for each kind of row).
    """CREATE FUNCTION pg_temp.uid(id uuid, salt text) RETURNS uuid LANGUAGE sql IMMUTABLE
       PARALLEL SAFE AS $$ SELECT md5($1::text || $2)::uuid $$""",
]


async def _run(conn: Any, statements: list[str], *args: Any) -> None:
    """Each statement in turn; ``$1``, when given, is the run's "now"."""
    for sql in statements:
        if "$1" in sql:
            await conn.execute(sql.replace("$1", "$1::timestamptz"), *args)
        else:
            await conn.execute(sql)


async def load(conn: Any, now: datetime) -> tuple[dict[str, int], dict[str, float]]:
    """Everything after delivery, on the connection that loaded the orders (foreign-key
    triggers still off); row counts and seconds per part."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for sql in FUNCTIONS:
        await conn.execute(sql)
    await scale_shipping.load_carriers(conn, now)
    await _run(conn, scale_shipping.shipping_statements())
    timings["shipping"] = time.perf_counter() - started
    started = time.perf_counter()
    await _run(conn, scale_billing.invoice_statements(), now)
    timings["invoices"] = time.perf_counter() - started
    started = time.perf_counter()
    await _run(conn, scale_after_sales.return_statements(), now)
    await _run(conn, scale_billing.settle_statements(), now)
    timings["after_sales_and_books"] = time.perf_counter() - started
    await check_statuses(conn)
    counts = {}
    for table in COUNTED:
        counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
    await scale_billing.set_sequences(conn)
    await conn.execute("DISCARD TEMP")  # the working tables and functions
    return counts, timings


async def check_statuses(conn: Any) -> None:
    """The orders' statuses the SQL derived, against ``app.domain`` on a sample of the billed
    orders and every returned one."""
    from app.domain.billing.invoices import settlement_of
    from app.domain.orders import LineQuantities, Settlement, billing_status, fulfillment_status

    rows = await conn.fetch(
        """SELECT o.id, o.settlement, o.billing_status, o.fulfillment_status, i.total,
                  i.amount_paid, i.amount_credited, l.quantity_ordered, l.quantity_reserved,
                  l.quantity_shipped, l.quantity_delivered, l.quantity_invoiced,
                  l.quantity_returned, l.quantity_credited
           FROM bench_inv b JOIN orders o ON o.id = b.order_id JOIN invoices i ON i.id = b.id
           JOIN order_lines l ON l.order_id = o.id
           WHERE pg_temp.r(b.order_id, 90) < 0.02
              OR b.order_id IN (SELECT order_id FROM bench_ret)
           ORDER BY o.id"""
    )
    orders: dict[Any, list[Any]] = {}
    for row in rows:
        orders.setdefault(row["id"], []).append(row)
    wrong = []
    for order_id, lines in orders.items():
        first = lines[0]
        invoice = (first["total"], first["amount_paid"], first["amount_credited"])
        settlement = settlement_of([invoice])
        quantities = [LineQuantities(*(x[k] for k in QUANTITIES)) for x in lines]
        expected = (
            settlement.value,
            billing_status(quantities, Settlement(settlement)).value,
            fulfillment_status(quantities).value,
        )
        stored = (first["settlement"], first["billing_status"], first["fulfillment_status"])
        if expected != stored:
            wrong.append((order_id, stored, expected))
    if wrong:
        raise SystemExit(f"{len(wrong)} orders' statuses differ from app.domain: {wrong[:3]}")


QUANTITIES = (
    "quantity_ordered",
    "quantity_reserved",
    "quantity_shipped",
    "quantity_delivered",
    "quantity_invoiced",
    "quantity_returned",
    "quantity_credited",
)

# Tables whose secondary indexes bench.scale drops while loading (and builds after).
LOADED = (
    "shipments",
    "shipment_lines",
    "shipment_packages",
    "shipment_events",
    "invoices",
    "invoice_lines",
    "payments",
    "payment_applications",
    "journal_lines",
)

COUNTED = (
    "stock_movements",
    "carriers",
    "shipment_packages",
    "shipment_events",
    "invoices",
    "invoice_lines",
    "payments",
    "payment_applications",
    "credit_notes",
    "credit_applications",
    "refunds",
    "journal_entries",
    "journal_lines",
    "returns",
    "return_lines",
    "service_cases",
)
