"""The documents after delivery for ``bench.scale``, made by SQL passes over the loaded orders
and shipments (``INSERT … SELECT``, no rows through Python): carriers and the shipments'
carrier, service, cost, packages, promised date and tracking timeline here; invoices,
payments, credit notes and the books in ``bench.scale_billing``; returns and service cases in
``bench.scale_after_sales``.

Deterministic for the seed: every draw is a hash of a row's id (the ids come from the seeded
generator), every new id an md5 of a row's id (``pg_temp.r`` and ``pg_temp.uid``).
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import scale_after_sales, scale_billing

FUNCTIONS = [
    # A uniform draw in [0, 1) from a row's id and a salt (one salt per decision).
    """CREATE FUNCTION pg_temp.r(id uuid, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE
       PARALLEL SAFE AS
       $$ SELECT (hashtextextended($1::text, $2) & 281474976710655)::float8 / 281474976710656 $$""",
    # A new id derived from a row's id (a different salt for each kind of row).
    """CREATE FUNCTION pg_temp.uid(id uuid, salt text) RETURNS uuid LANGUAGE sql IMMUTABLE
       PARALLEL SAFE AS $$ SELECT md5($1::text || $2)::uuid $$""",
]

ZONES = {"local": {"base": "10", "per_kg": "1.5"}, "near": {"base": "14", "per_kg": "2.5"}}
# code, name, adapter, currency, services (code, transit days), share of carried shipments
CARRIERS = [
    ("sf-express", "顺丰速运", "generic_json", "CNY", [("standard", 2), ("express", 1)], 0.40),
    ("jd-logistics", "京东物流", "generic_json", "CNY", [("standard", 2)], 0.30),
    ("zto", "中通快递", "table_rate", "CNY", [("economy", 3)], 0.25),
    ("dhl", "DHL Express", "easypost", "USD", [("express", 2)], 0.05),
]
OWN_FLEET_SHARE = 0.25  # shipments without a carrier (the own fleet's vans)
EXCEPTION_SHARE = 0.04  # tracked shipments with an exception on the way
USD_CNY = Decimal("7.1")


def _carrier_rows(now: datetime) -> list[tuple[Any, ...]]:
    created = now - timedelta(days=800)
    rows = []
    for n, (code, name, adapter, currency, services, _) in enumerate(CARRIERS):
        rows.append(
            (
                uuid.UUID(int=n + 1, version=4),
                code,
                name,
                adapter,
                json.dumps([{"code": s, "name": s.title()} for s, _ in services]),
                json.dumps({"CN": []}),
                Decimal(30),
                json.dumps(["general"]),
                currency,
                json.dumps({"local": services[0][1], "near": services[0][1] + 1}),
                json.dumps(ZONES),
                json.dumps({}),
                "17:00",
                json.dumps({"default": "near"}),
                None,
                True,
                created,
                created,
                1,
                None,
                adapter != "table_rate",
                Decimal(10),
            )
        )
    return rows


CARRIER_COLUMNS = [
    "id",
    "code",
    "name",
    "adapter_kind",
    "services",
    "coverage",
    "max_package_weight_kg",
    "goods_classes",
    "currency",
    "transit_days",
    "rates",
    "surcharges",
    "cutoff_time",
    "zone_rules",
    "credentials",
    "active",
    "created_at",
    "updated_at",
    "version",
    "endpoint",
    "webhooks",
    "timeout_seconds",
]


def _choices_sql() -> str:
    """(k, carrier id, service, transit days, currency, adapter, low, high): the carrier and
    service a shipment takes when its draw falls in [low, high)."""
    rows, low = [], OWN_FLEET_SHARE
    for n, (_, _, adapter, currency, services, share) in enumerate(CARRIERS):
        width = share * (1 - OWN_FLEET_SHARE) / len(services)
        for service, days in services:
            rows.append(
                f"('{uuid.UUID(int=n + 1, version=4)}'::uuid, '{service}', {days}, "
                f"'{currency}', '{adapter}', {low:.6f}, {low + width:.6f})"
            )
            low += width
    rows.append(f"(NULL::uuid, 'van', 1, NULL, NULL, 0, {OWN_FLEET_SHARE})")
    return ",".join(rows)


def shipping_statements() -> list[str]:
    choices = _choices_sql()
    return [
        """CREATE TEMP TABLE bench_choice (carrier_id uuid, service text, days int,
            currency text, adapter text, low float8, high float8)""",
        f"INSERT INTO bench_choice VALUES {choices}",
        # Packages first: a shipment's cost follows its weight.
        """INSERT INTO shipment_packages (id, shipment_id, package_no, weight_kg, length_cm,
                width_cm, height_cm, contents)
           SELECT pg_temp.uid(s.id, 'pkg' || k), s.id, k,
                  round((0.3 + 14 * pg_temp.r(s.id, 10 + k))::numeric, 3),
                  40, 30, round((10 + 40 * pg_temp.r(s.id, 20 + k))::numeric, 0), '[]'
           FROM shipments s
           CROSS JOIN LATERAL generate_series(1, 1 + (pg_temp.r(s.id, 1) > 0.7)::int
                + (pg_temp.r(s.id, 1) > 0.93)::int) AS k""",
        # Carrier, service, label and cost; the own fleet's van has no cost. The promise is
        # the service's transit days; about one delivery in eight arrives a day or two late.
        """CREATE TEMP TABLE bench_ship AS
           SELECT s.id, c.carrier_id, c.service, c.currency, c.adapter,
                  (s.shipped_at AT TIME ZONE 'UTC')::date + c.days AS promised,
                  s.shipped_at + make_interval(hours => c.days * 24 - 6
                      - (12 * pg_temp.r(s.id, 3))::int
                      + CASE WHEN pg_temp.r(s.id, 6) < 0.12 THEN 24 + (36 * pg_temp.r(s.id, 7))::int
                             ELSE 0 END) AS arrived,
                  p.weight
           FROM shipments s
           JOIN (SELECT shipment_id, sum(weight_kg) AS weight FROM shipment_packages
                 GROUP BY shipment_id) p ON p.shipment_id = s.id
           JOIN bench_choice c ON pg_temp.r(s.id, 2) >= c.low AND pg_temp.r(s.id, 2) < c.high""",
        "ANALYZE bench_ship",
        """UPDATE shipments s SET carrier_id = b.carrier_id, service = b.service,
                  promised_date = b.promised,
                  delivered_at = CASE WHEN s.status = 'delivered' THEN b.arrived END,
                  updated_at = CASE WHEN s.status = 'delivered' THEN b.arrived
                                    ELSE s.updated_at END,
                  shipping_cost = CASE WHEN b.carrier_id IS NOT NULL THEN
                      round((CASE WHEN b.currency = 'USD' THEN 2.5 ELSE 12 END
                             + b.weight * CASE WHEN b.currency = 'USD' THEN 0.6 ELSE 2 END
                             + CASE WHEN b.service = 'express' THEN 8 ELSE 0 END)::numeric, 2)
                      END,
                  shipping_currency = b.currency,
                  label_status = CASE WHEN b.adapter IN ('generic_json', 'easypost')
                                      THEN 'purchased' ELSE 'none' END,
                  tracking_number = CASE WHEN b.carrier_id IS NOT NULL
                                         THEN upper(substr(md5(s.id::text), 1, 14)) END
           FROM bench_ship b WHERE b.id = s.id""",
        # Tracking: the carriers that report it (not the table-rate courier, not the own
        # fleet). label_created, picked_up, in_transit, sometimes an exception, then
        # out_for_delivery and delivered — or, not delivered yet, the last step reached.
        """CREATE TEMP TABLE bench_events AS
           SELECT s.id AS shipment_id, e.status, e.at
           FROM shipments s JOIN bench_ship b ON b.id = s.id
           CROSS JOIN LATERAL (VALUES
               ('label_created', s.shipped_at - interval '3 hours', true),
               ('picked_up', s.shipped_at, true),
               ('in_transit', s.shipped_at + interval '6 hours', true),
               ('exception', s.shipped_at + interval '14 hours',
                    pg_temp.r(s.id, 4) < 0.04),
               ('out_for_delivery', b.arrived - interval '4 hours',
                    s.status = 'delivered' OR pg_temp.r(s.id, 5) < 0.3),
               ('delivery_failed', b.arrived,
                    s.status <> 'delivered' AND pg_temp.r(s.id, 5) < 0.1),
               ('delivered', b.arrived, s.status = 'delivered')
           ) AS e(status, at, happened)
           WHERE b.adapter IN ('generic_json', 'easypost') AND e.happened
             AND (s.status = 'delivered' OR e.at < b.arrived OR e.status = 'delivery_failed')""",
        "ANALYZE bench_events",
        """INSERT INTO shipment_events (id, shipment_id, status, occurred_at, description,
                source, recorded_at)
           SELECT pg_temp.uid(shipment_id, status), shipment_id, status, at, '',
                  CASE WHEN status = 'label_created' THEN 'lading' ELSE 'webhook' END,
                  at + interval '2 minutes'
           FROM bench_events""",
        """UPDATE shipments s SET tracking_status = l.status, tracking_status_at = l.at,
                  tracked_at = l.at + interval '2 minutes'
           FROM (SELECT DISTINCT ON (shipment_id) shipment_id, status, at FROM bench_events
                 ORDER BY shipment_id, at DESC,
                          CASE status WHEN 'delivered' THEN 0 ELSE 1 END) l
           WHERE l.shipment_id = s.id""",
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
    await conn.copy_records_to_table(
        "carriers", records=_carrier_rows(now), columns=CARRIER_COLUMNS
    )
    await conn.execute(
        "INSERT INTO exchange_rates (id, base_currency, quote_currency, rate, valid_from, "
        "created_at, created_by) VALUES ($1, 'USD', 'CNY', $2, $3, $4, 'bench')",
        uuid.UUID(int=99, version=4),
        USD_CNY,
        (now - timedelta(days=800)).date(),
        now,
    )
    await _run(conn, shipping_statements())
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
