"""Shipping for ``bench.scale`` (SQL passes over the loaded shipments): four carriers and a
USD rate, and each shipment's carrier or the own fleet, service, packages with weights, cost by
weight, promised date from the service's transit days (about one delivery in eight late), and
for the carriers that report tracking a timeline of events (a few with an exception) and its
``tracking_status``."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

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
        f"""CREATE TEMP TABLE bench_events AS
           SELECT s.id AS shipment_id, e.status, e.at
           FROM shipments s JOIN bench_ship b ON b.id = s.id
           CROSS JOIN LATERAL (VALUES
               ('label_created', s.shipped_at - interval '3 hours', true),
               ('picked_up', s.shipped_at, true),
               ('in_transit', s.shipped_at + (b.arrived - s.shipped_at) * 0.3, true),
               ('exception', s.shipped_at + (b.arrived - s.shipped_at) * 0.5,
                    pg_temp.r(s.id, 4) < {EXCEPTION_SHARE}),
               ('out_for_delivery', b.arrived - (b.arrived - s.shipped_at) * 0.15,
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
                 ORDER BY shipment_id, status = 'delivered' DESC, at DESC) l
           WHERE l.shipment_id = s.id""",
    ]


async def load_carriers(conn: Any, now: datetime) -> None:
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
