"""Benchmark: what the read paths cost with a year of orders in PostgreSQL.

    .venv/bin/python -m bench.scale                     # short run: 20,000 orders
    .venv/bin/python -m bench.scale --orders 100000
    .venv/bin/python -m bench.scale --orders 1000000    # the full run (about ten minutes)

Creates its own database (dropped afterwards unless ``--keep``), migrates it to head and bulk
loads it with COPY: 1,000 customers, 10,000 products, 5 warehouses with coordinates, a stock
level and its ledger (one receipt, and one issue where stock has shipped) per warehouse and
product, then N orders of 3 lines each spread over the last year (statuses, channels, requested
dates; fulfilment and billing statuses derived from the line quantities by ``app.domain.orders``;
reservations for what approved open orders hold, some lines backordered), and what follows
delivery — carriers and tracking, invoices, payments, credit notes, the books, returns and
service cases (``bench.scale_documents``). The invariants are checked (``lading check``) before
anything is measured, then the tables are analysed.

It then builds the reports' summaries (``lading reports rebuild``, timed; ``bench.reports``) and
measures, through the application in-process (httpx ``ASGITransport``, an admin JWT),
p50/p95 of each read path over ``--requests`` requests with varied parameters after
``--warmup`` requests, and captures the SQL each one runs (a ``before_cursor_execute``
listener during one extra request) to show its ``EXPLAIN`` plan and flag sequential scans of
the big tables. Results go to bench/results/scale-<N>.json and .md. Not part of make test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench import reports, scale_documents

RESULTS = Path(__file__).resolve().parent / "results"
BIG_TABLES = ("orders", "order_lines", "stock_movements", "reservations", "audit_events", "outbox")
LIST_TARGET_MS = 50.0
SEARCH_TARGET_MS = 100.0
TARGETS = {"list": LIST_TARGET_MS, "detail": LIST_TARGET_MS, "search": SEARCH_TARGET_MS}
BATCH = 20_000  # orders generated and copied at a time

CENT = Decimal("0.01")
ZERO = Decimal(0)
CITIES = [
    ("SH", "上海市", "31.230400", "121.473700"),
    ("BJ", "北京市", "39.904200", "116.407400"),
    ("GZ", "广州市", "23.129100", "113.264400"),
    ("CD", "成都市", "30.572800", "104.066800"),
    ("WH", "武汉市", "30.592800", "114.305500"),
]
NAME_A = ["Northwind", "Contoso", "Fabrikam", "华东", "Tailspin", "Adventure", "长江", "Litware"]
NAME_B = ["Trading", "Foods", "贸易", "Retail", "Supplies", "商贸", "Outfitters", "Wholesale"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _pick(rng: random.Random, weights: list[tuple[str, float]]) -> str:
    r = rng.random()
    acc = 0.0
    for value, weight in weights:
        acc += weight
        if r < acc:
            return value
    return weights[-1][0]


STATUSES = [
    ("approved", 0.75),
    ("draft", 0.08),
    ("on_hold", 0.04),
    ("pending_approval", 0.05),
    ("cancelled", 0.06),
    ("rejected", 0.02),
]
CHANNELS = [
    ("storefront", 0.40),
    ("manual", 0.20),
    ("phone", 0.10),
    ("import", 0.15),
    ("edi", 0.15),
]
REF_PREFIX = {"storefront": "WEB", "import": "IMP", "edi": "EDI"}


# --------------------------------------------------------------------------- data generation


@dataclass
class Catalog:
    customers: list[tuple[uuid.UUID, str, str, str]]  # id, code, name, ship-to json
    products: list[tuple[uuid.UUID, str, str, Decimal, Decimal]]  # id, sku, name, price, tax
    warehouses: list[uuid.UUID]


@dataclass
class Loaded:
    """What the generator remembers for the measurements and the stock ledger."""

    reserved: dict[tuple[int, int], int] = field(default_factory=dict)  # (wh, product) → qty
    shipped: dict[tuple[int, int], int] = field(default_factory=dict)
    sample_orders: list[uuid.UUID] = field(default_factory=list)
    sample_numbers: list[str] = field(default_factory=list)
    sample_refs: list[str] = field(default_factory=list)
    backordered_skus: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)


def _customers(rng: random.Random, n: int, now: datetime) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(n):
        city = CITIES[i % len(CITIES)]
        name = f"{NAME_A[i % len(NAME_A)]} {NAME_B[(i // len(NAME_A)) % len(NAME_B)]} {i:04d}"
        ship_to = [
            {
                "id": str(_uuid(rng)),
                "is_default": True,
                "country": "CN",
                "city": city[1],
                "street": f"{rng.randint(1, 999)} 号",
            }
        ]
        created = now - timedelta(days=400 + rng.randint(0, 300))
        rows.append(
            (
                _uuid(rng),
                f"C{i:05d}",
                name,
                "active",
                None,
                Decimal(rng.choice([0, 50_000, 200_000, 1_000_000])),
                "CNY",
                30,
                "[]",
                "[]",
                json.dumps(ship_to, ensure_ascii=False),
                True,
                created,
                created,
                1,
                "ship_partial",
            )
        )
    return rows


CUSTOMER_COLUMNS = [
    "id",
    "code",
    "name",
    "status",
    "customer_group",
    "credit_limit",
    "currency",
    "payment_terms_days",
    "tags",
    "contacts",
    "ship_to",
    "active",
    "created_at",
    "updated_at",
    "version",
    "fulfillment_policy",
]


def _products(rng: random.Random, n: int, now: datetime) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(n):
        created = now - timedelta(days=400 + rng.randint(0, 300))
        rows.append(
            (
                _uuid(rng),
                f"P{i:06d}",
                f"商品 {i} {rng.choice(['螺栓', '轴承', 'Cable', 'Filter', '阀门', 'Pump'])}",
                "pcs",
                0,
                "general",
                "CNY",
                Decimal(rng.randint(100, 50_000)) / 100,
                Decimal("0.13") if i % 10 else Decimal("0.09"),
                ZERO,
                ZERO,
                "[]",
                True,
                created,
                created,
                1,
            )
        )
    return rows


PRODUCT_COLUMNS = [
    "id",
    "sku",
    "name",
    "uom",
    "uom_precision",
    "goods_class",
    "currency",
    "list_price",
    "tax_rate",
    "reorder_point",
    "reorder_quantity",
    "substitutes",
    "active",
    "created_at",
    "updated_at",
    "version",
]

ORDER_COLUMNS = [
    "id",
    "number",
    "channel",
    "external_ref",
    "customer_id",
    "customer_code",
    "customer_name",
    "ship_to",
    "requested_delivery_date",
    "currency",
    "status",
    "fulfillment_status",
    "billing_status",
    "priority",
    "notes",
    "discount_percent",
    "payment_status",
    "payment_reference",
    "payment_amount",
    "requires_price_approval",
    "holds",
    "pending_approvals",
    "next_approver",
    "gross_before_discount",
    "discount_total",
    "net_total",
    "tax_total",
    "total",
    "created_by",
    "updated_by",
    "submitted_at",
    "cancelled_at",
    "cancel_reason",
    "created_at",
    "updated_at",
    "version",
]
LINE_COLUMNS = [
    "id",
    "order_id",
    "line_no",
    "product_id",
    "sku",
    "name",
    "quantity_ordered",
    "quantity_reserved",
    "quantity_shipped",
    "quantity_delivered",
    "quantity_invoiced",
    "quantity_returned",
    "quantity_credited",
    "unit_price",
    "price_source",
    "below_floor",
    "discount_percent",
    "tax_rate",
    "gross_before_discount",
    "discount",
    "net",
    "tax",
    "total",
]
RESERVATION_COLUMNS = [
    "id",
    "order_id",
    "order_line_id",
    "warehouse_id",
    "product_id",
    "quantity",
    "created_at",
    "expires_at",
]


SHIPMENT_COLUMNS = [
    "id",
    "number",
    "order_id",
    "warehouse_id",
    "status",
    "ship_to",
    "created_by",
    "updated_by",
    "shipped_at",
    "shipped_by",
    "delivered_at",
    "delivered_by",
    "tracking_token",
    "label_status",
    "label_attempts",
    "created_at",
    "updated_at",
    "version",
]
SHIPMENT_LINE_COLUMNS = [
    "id",
    "shipment_id",
    "line_no",
    "order_line_id",
    "product_id",
    "sku",
    "name",
    "quantity",
]


class OrderGenerator:
    """N orders of ``lines`` lines, oldest first, in batches; deterministic for a seed."""

    def __init__(
        self, rng: random.Random, catalog: Catalog, n: int, lines: int, now: datetime
    ) -> None:
        self.rng = rng
        self.catalog = catalog
        self.n = n
        self.lines = lines
        self.now = now
        # Order numbers follow creation time, as the sequence does.
        self.offsets = sorted((rng.random() * 365 * 86400 for _ in range(n)), reverse=True)
        self.amounts: dict[tuple[int, int, int], tuple[Decimal, ...]] = {}
        self.loaded = Loaded()
        self.sample_every = max(1, n // 400)
        self.shipments = 0  # shipment numbers handed out

    def _line_amounts(self, p: int, qty: int, disc: int) -> tuple[Decimal, ...]:
        key = (p, qty, disc)
        cached = self.amounts.get(key)
        if cached is None:
            price, tax_rate = self.catalog.products[p][3], self.catalog.products[p][4]
            gross = price * qty
            discount = (gross * disc / 100).quantize(CENT)
            net = gross - discount
            tax = (net * tax_rate).quantize(CENT)
            cached = (gross, discount, net, tax, net + tax)
            self.amounts[key] = cached
        return cached

    def batches(self) -> Iterator[tuple[list[tuple[Any, ...]], ...]]:
        for start in range(0, self.n, BATCH):
            yield self._batch(start, min(self.n, start + BATCH))

    def _batch(self, start: int, stop: int) -> tuple[list[tuple[Any, ...]], ...]:
        from app.domain.orders import LineQuantities, billing_status, fulfillment_status

        rng, cat, now, loaded = self.rng, self.catalog, self.now, self.loaded
        n_customers, n_products = len(cat.customers), len(cat.products)
        orders: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        reservations: list[tuple[Any, ...]] = []
        shipments: list[tuple[Any, ...]] = []
        shipment_lines: list[tuple[Any, ...]] = []
        for i in range(start, stop):
            created = now - timedelta(seconds=self.offsets[i])
            age_days = self.offsets[i] / 86400
            order_id = _uuid(rng)
            number = f"SO-{created.year:04d}-{i + 1:06d}"
            status = _pick(rng, STATUSES)
            channel = _pick(rng, CHANNELS)
            prefix = REF_PREFIX.get(channel)
            external_ref = f"{prefix}-{rng.getrandbits(40):012d}" if prefix else None
            # A few big customers and a long tail.
            c_id, c_code, c_name, ship_to = cat.customers[int(n_customers * rng.random() ** 2)]
            requested = (
                (created + timedelta(days=rng.randint(2, 30))).date()
                if rng.random() < 0.7
                else None
            )
            open_order = status == "approved" and (age_days < 21 or rng.random() < 0.03)
            # A shipped order left in one shipment per warehouse, delivered (or not) as a whole.
            order_delivered = rng.random() < 0.9
            shipped_from: dict[int, list[tuple[Any, ...]]] = {}
            quantities = []
            totals = [ZERO, ZERO, ZERO, ZERO, ZERO]
            chosen: set[int] = set()
            for line_no in range(1, self.lines + 1):
                p = int(n_products * rng.random() ** 3)  # popular products first
                while p in chosen:
                    p = rng.randrange(n_products)
                chosen.add(p)
                p_id, sku, p_name, price, tax_rate = cat.products[p]
                qty = rng.randint(1, 20)
                disc = 5 if rng.random() < 0.1 else 0
                amounts = self._line_amounts(p, qty, disc)
                for k in range(5):
                    totals[k] += amounts[k]
                reserved = shipped = delivered = invoiced = 0
                warehouse = rng.randrange(len(cat.warehouses))
                if status == "approved" and open_order:
                    # Allocated, or waiting for stock (backordered) in part or whole.
                    reserved = qty if rng.random() < 0.8 else rng.randint(0, qty - 1)
                    if reserved < qty:
                        loaded.backordered_skus.add(sku)
                elif status == "approved":
                    shipped = invoiced = qty
                    delivered = qty if order_delivered else 0
                line_id = _uuid(rng)
                if shipped:
                    shipped_from.setdefault(warehouse, []).append(
                        (line_id, p_id, sku, p_name, Decimal(shipped))
                    )
                if reserved:
                    key = (warehouse, p)
                    loaded.reserved[key] = loaded.reserved.get(key, 0) + reserved
                    reservations.append(
                        (
                            _uuid(rng),
                            order_id,
                            line_id,
                            cat.warehouses[warehouse],
                            p_id,
                            Decimal(reserved),
                            created + timedelta(minutes=2),
                            None,
                        )
                    )
                if shipped:
                    key = (warehouse, p)
                    loaded.shipped[key] = loaded.shipped.get(key, 0) + shipped
                quantities.append(
                    LineQuantities(
                        Decimal(qty),
                        Decimal(reserved),
                        Decimal(shipped),
                        Decimal(delivered),
                        Decimal(invoiced),
                    )
                )
                gross, discount, net, tax, total = amounts
                lines.append(
                    (
                        line_id,
                        order_id,
                        line_no,
                        p_id,
                        sku,
                        p_name,
                        Decimal(qty),
                        Decimal(reserved),
                        Decimal(shipped),
                        Decimal(delivered),
                        Decimal(invoiced),
                        ZERO,
                        ZERO,
                        price,
                        "list",
                        False,
                        Decimal(disc),
                        tax_rate,
                        gross,
                        discount,
                        net,
                        tax,
                        total,
                    )
                )
            for warehouse, carried in shipped_from.items():
                self.shipments += 1
                shipment_id = _uuid(rng)
                left = created + timedelta(days=1)
                arrived = left + timedelta(days=2) if order_delivered else None
                shipments.append(
                    (
                        shipment_id,
                        f"SH-{created.year:04d}-{self.shipments:06d}",
                        order_id,
                        cat.warehouses[warehouse],
                        "delivered" if order_delivered else "shipped",
                        ship_to,
                        "bench",
                        "bench",
                        left,
                        "bench",
                        arrived,
                        "bench" if arrived else None,
                        f"{rng.getrandbits(128):032x}",
                        "none",
                        0,
                        left,
                        arrived or left,
                        1,
                    )
                )
                for n, (line_id, p_id, sku, p_name, quantity) in enumerate(carried, start=1):
                    shipment_lines.append(
                        (_uuid(rng), shipment_id, n, line_id, p_id, sku, p_name, quantity)
                    )
            holds: list[str] = []
            pending: list[str] = []
            if status == "on_hold":
                holds = [rng.choice(["credit_limit_exceeded", "manual", "awaiting_payment"])]
            if status == "pending_approval":
                pending = ["sales_manager"] if rng.random() < 0.7 else ["sales_manager", "finance"]
            paid = channel == "storefront" and status == "approved"
            submitted = created + timedelta(minutes=1) if status != "draft" else None
            cancelled = (
                min(now, created + timedelta(hours=rng.randint(1, 72)))
                if status == "cancelled"
                else None
            )
            orders.append(
                (
                    order_id,
                    number,
                    channel,
                    external_ref,
                    c_id,
                    c_code,
                    c_name,
                    ship_to,
                    requested,
                    "CNY",
                    status,
                    fulfillment_status(quantities).value,
                    billing_status(quantities).value,
                    0 if rng.random() < 0.9 else rng.randint(1, 9),
                    None,
                    ZERO,
                    ("paid" if paid else "unpaid") if channel == "storefront" else None,
                    f"PAY-{i:08d}" if paid else None,
                    totals[4] if paid else None,
                    False,
                    json.dumps(holds),
                    json.dumps(pending),
                    pending[0] if pending else None,
                    totals[0],
                    totals[1],
                    totals[2],
                    totals[3],
                    totals[4],
                    "bench",
                    "bench",
                    submitted,
                    cancelled,
                    "customer request" if cancelled else None,
                    created,
                    cancelled or submitted or created,
                    1,
                )
            )
            if i % self.sample_every == 0:
                loaded.sample_orders.append(order_id)
                loaded.sample_numbers.append(number)
                if external_ref:
                    loaded.sample_refs.append(external_ref)
        return orders, lines, reservations, shipments, shipment_lines


async def _load(
    conn: Any, rng: random.Random, args: argparse.Namespace, now: datetime
) -> tuple[Catalog, Loaded, dict[str, float]]:
    import asyncpg

    timings: dict[str, float] = {}
    started = time.perf_counter()
    # No foreign-key triggers while loading (superusers only; the rows are consistent).
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
        await conn.execute("SET session_replication_role = replica")
    await conn.execute("SET maintenance_work_mem = '256MB'")
    await conn.execute("SET synchronous_commit = off")
    # Secondary indexes are built once after the load instead of row by row.
    dropped = await conn.fetch(
        """SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relname = ANY($1::text[]) AND NOT i.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
        ["orders", "order_lines", "reservations", "stock_movements", *scale_documents.LOADED],
    )
    for row in dropped:
        await conn.execute(f'DROP INDEX "{row["name"]}"')

    customers = _customers(rng, args.customers, now)
    await conn.copy_records_to_table("customers", records=customers, columns=CUSTOMER_COLUMNS)
    products = _products(rng, args.products, now)
    await conn.copy_records_to_table("products", records=products, columns=PRODUCT_COLUMNS)
    warehouses = []
    for k in range(args.warehouses):
        code, city, lat, lon = CITIES[k % len(CITIES)]
        created = now - timedelta(days=800)
        warehouses.append(
            (
                _uuid(rng),
                f"WH-{code}{k // len(CITIES) or ''}",
                f"{city}仓",
                json.dumps({"country": "CN", "city": city}, ensure_ascii=False),
                Decimal(lat),
                Decimal(lon),
                10 * (k + 1),
                True,
                created,
                created,
                1,
            )
        )
    await conn.copy_records_to_table(
        "warehouses",
        records=warehouses,
        columns=[
            "id",
            "code",
            "name",
            "address",
            "latitude",
            "longitude",
            "priority",
            "active",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    catalog = Catalog(
        [
            (c[0], c[1], c[2], json.dumps(json.loads(c[10])[0], ensure_ascii=False))
            for c in customers
        ],
        [(p[0], p[1], p[2], p[7], p[8]) for p in products],
        [w[0] for w in warehouses],
    )
    timings["master_data"] = time.perf_counter() - started

    started = time.perf_counter()
    generator = OrderGenerator(rng, catalog, args.orders, args.lines, now)
    counts = {"orders": 0, "order_lines": 0, "reservations": 0, "shipments": 0}
    for orders, lines, reservations, shipments, shipment_lines in generator.batches():
        await conn.copy_records_to_table("orders", records=orders, columns=ORDER_COLUMNS)
        await conn.copy_records_to_table("order_lines", records=lines, columns=LINE_COLUMNS)
        if reservations:
            await conn.copy_records_to_table(
                "reservations", records=reservations, columns=RESERVATION_COLUMNS
            )
        if shipments:
            await conn.copy_records_to_table(
                "shipments", records=shipments, columns=SHIPMENT_COLUMNS
            )
            await conn.copy_records_to_table(
                "shipment_lines", records=shipment_lines, columns=SHIPMENT_LINE_COLUMNS
            )
        counts["shipments"] += len(shipments)
        counts["orders"] += len(orders)
        counts["order_lines"] += len(lines)
        counts["reservations"] += len(reservations)
    loaded = generator.loaded
    timings["orders"] = time.perf_counter() - started

    # Stock: every (warehouse, product) holds what is reserved plus a free margin (none for
    # some, so that backorders are real); the ledger received it all and issued what shipped.
    started = time.perf_counter()
    levels, movements = [], []
    opened = now - timedelta(days=380)
    for w, warehouse_id in enumerate(catalog.warehouses):
        for p, product in enumerate(catalog.products):
            reserved = loaded.reserved.get((w, p), 0)
            shipped = loaded.shipped.get((w, p), 0)
            free = 0 if rng.random() < 0.1 else rng.randint(1, 300)
            on_hand = reserved + free
            levels.append((warehouse_id, product[0], Decimal(on_hand), Decimal(reserved), now))
            if on_hand + shipped:
                movements.append(
                    (
                        _uuid(rng),
                        warehouse_id,
                        product[0],
                        "receipt",
                        Decimal(on_hand + shipped),
                        None,
                        "BENCH-OPENING",
                        "bench",
                        opened,
                    )
                )
            if shipped:
                movements.append(
                    (
                        _uuid(rng),
                        warehouse_id,
                        product[0],
                        "issue",
                        Decimal(-shipped),
                        "shipped to customers",
                        "BENCH-SHIPPED",
                        "bench",
                        now - timedelta(days=1),
                    )
                )
    await conn.copy_records_to_table(
        "stock_levels",
        records=levels,
        columns=["warehouse_id", "product_id", "on_hand", "reserved", "updated_at"],
    )
    await conn.copy_records_to_table(
        "stock_movements",
        records=movements,
        columns=[
            "id",
            "warehouse_id",
            "product_id",
            "kind",
            "quantity",
            "reason",
            "reference",
            "actor",
            "created_at",
        ],
    )
    counts.update(
        customers=len(customers),
        products=len(products),
        warehouses=len(warehouses),
        stock_levels=len(levels),
        stock_movements=len(movements),
    )
    await conn.execute(f"SELECT setval('order_number_seq', {max(args.orders, 1)})")
    await conn.execute(f"SELECT setval('shipment_number_seq', {max(generator.shipments, 1)})")
    timings["stock"] = time.perf_counter() - started

    # Carriers, tracking, invoices, payments, credit notes, the books, returns and cases.
    documents, document_timings = await scale_documents.load(conn, now)
    counts.update(documents)
    timings.update(document_timings)

    started = time.perf_counter()
    await conn.execute("SET session_replication_role = DEFAULT")
    for row in dropped:
        await conn.execute(row["definition"])
    timings["indexes"] = time.perf_counter() - started
    loaded.counts = counts
    return catalog, loaded, timings


# ----------------------------------------------------------------------- SQL capture / EXPLAIN


class Capture:
    """Records the statements the application sends while ``active``."""

    def __init__(self) -> None:
        self.active = False
        self.statements: list[tuple[str, Any]] = []

    def __call__(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if self.active:
            self.statements.append((statement, parameters))


SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


async def _explain(conn: Any, statement: str, parameters: Any) -> dict[str, Any]:
    params = list(parameters) if parameters else []
    rows = await conn.fetch(f"EXPLAIN (FORMAT TEXT) {statement}", *params)
    plan = "\n".join(r[0] for r in rows)
    scanned = sorted({t for t in SEQ_SCAN.findall(plan) if t in BIG_TABLES})
    return {
        "sql": " ".join(statement.split()),
        "parameters": [str(p) for p in params],
        "plan": plan,
        "seq_scans": scanned,
    }


# ------------------------------------------------------------------------------- measurement


@dataclass
class Query:
    name: str
    kind: str  # list | detail | search | report
    request: Callable[[int], Awaitable[httpx.Response]]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


async def _measure(
    query: Query, requests: int, warmup: int, capture: Capture, pg: Any
) -> dict[str, Any]:
    for k in range(warmup):
        (await query.request(k)).raise_for_status()
    times = []
    for k in range(requests):
        started = time.perf_counter()
        response = await query.request(warmup + k)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    capture.statements.clear()
    capture.active = True
    try:
        (await query.request(warmup + requests)).raise_for_status()
    finally:
        capture.active = False
    plans = [
        await _explain(pg, sql, params)
        for sql, params in capture.statements
        if sql.lstrip().upper().startswith("SELECT")
    ]
    target = TARGETS.get(query.kind, reports.REPORT_TARGET_MS)
    p95 = _percentile(times, 95)
    return {
        "name": query.name,
        "kind": query.kind,
        "requests": requests,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95, 2),
        "min_ms": round(min(times), 2),
        "max_ms": round(max(times), 2),
        "target_p95_ms": target,
        "pass": p95 < target,
        "statements": plans,
        "seq_scans": sorted({t for p in plans for t in p["seq_scans"]}),
    }


def _queries(
    client: httpx.AsyncClient,
    catalog: Catalog,
    loaded: Loaded,
    now: datetime,
    deep_cursors: dict[str, str | None],
) -> list[Query]:
    rng = random.Random(7)
    customers = [c[0] for c in rng.sample(catalog.customers, min(60, len(catalog.customers)))]
    skus = [p[1] for p in rng.sample(catalog.products, min(60, len(catalog.products)))]
    backordered = sorted(loaded.backordered_skus)
    backordered = rng.sample(backordered, min(60, len(backordered))) or skus
    names = [c[2] for c in catalog.customers]
    orders = loaded.sample_orders
    numbers = loaded.sample_numbers
    refs = loaded.sample_refs or numbers
    statuses = [s for s, _ in STATUSES]
    fulfilment = ["unfulfilled", "partially_reserved", "reserved", "shipped", "delivered"]
    billing = ["unbilled", "invoiced", "partially_invoiced"]
    channels = [c for c, _ in CHANNELS]

    def get(path: str, params: dict[str, Any] | None = None) -> Awaitable[httpx.Response]:
        return client.get(path, params=params)

    def window(k: int) -> dict[str, str]:
        start = now - timedelta(days=7 + (k * 37) % 350)
        return {
            "created_from": start.isoformat(),
            "created_to": (start + timedelta(days=7)).isoformat(),
        }

    def deep(key: str, extra: dict[str, str]) -> Callable[[int], Awaitable[httpx.Response]]:
        def request(k: int) -> Awaitable[httpx.Response]:
            cursor = deep_cursors[key]
            return get("/api/v1/orders", {**extra, **({"cursor": cursor} if cursor else {})})

        return request

    orders_path = "/api/v1/orders"
    return [
        Query("orders: first page", "list", lambda k: get(orders_path)),
        Query("orders: status", "list", lambda k: get(orders_path, {"status": statuses[k % 6]})),
        Query(
            "orders: fulfillment_status",
            "list",
            lambda k: get(orders_path, {"fulfillment_status": fulfilment[k % len(fulfilment)]}),
        ),
        Query(
            "orders: billing_status",
            "list",
            lambda k: get(orders_path, {"billing_status": billing[k % len(billing)]}),
        ),
        Query(
            "orders: customer_id",
            "list",
            lambda k: get(orders_path, {"customer_id": str(customers[k % len(customers)])}),
        ),
        Query("orders: channel", "list", lambda k: get(orders_path, {"channel": channels[k % 5]})),
        Query("orders: created range (7 days)", "list", lambda k: get(orders_path, window(k))),
        Query(
            "orders: sort=requested_delivery_date",
            "list",
            lambda k: get(orders_path, {"sort": "requested_delivery_date"}),
        ),
        Query("orders: deep page (no filter)", "list", deep("plain", {})),
        Query(
            "orders: deep page (status=approved)", "list", deep("approved", {"status": "approved"})
        ),
        Query(
            "orders: get by id",
            "detail",
            lambda k: get(f"{orders_path}/{orders[(k * 7) % len(orders)]}"),
        ),
        Query(
            "orders: q = order number fragment",
            "search",
            lambda k: get(orders_path, {"q": numbers[(k * 11) % len(numbers)][-6:]}),
        ),
        Query(
            "orders: q = customer name fragment",
            "search",
            lambda k: get(orders_path, {"q": names[(k * 13) % len(names)][-8:]}),
        ),
        Query(
            "orders: q = external ref",
            "search",
            lambda k: get(orders_path, {"q": refs[(k * 17) % len(refs)]}),
        ),
        Query(
            "availability?sku=",
            "list",
            lambda k: get("/api/v1/availability", {"sku": skus[k % len(skus)]}),
        ),
        Query("backorders: first page", "list", lambda k: get("/api/v1/backorders")),
        Query(
            "backorders: sku",
            "list",
            lambda k: get("/api/v1/backorders", {"sku": backordered[k % len(backordered)]}),
        ),
        Query("approvals (admin)", "list", lambda k: get("/api/v1/approvals")),
        *(Query(name, "report", request) for name, request in reports.queries(client, now)),
    ]


async def _deep_cursor(
    client: httpx.AsyncClient, params: dict[str, str], pages: int
) -> tuple[str | None, int]:
    """The cursor of page ``pages`` (following next_cursor from the first page)."""
    cursor: str | None = None
    reached = 1
    for _ in range(pages - 1):
        response = await client.get(
            "/api/v1/orders", params={**params, **({"cursor": cursor} if cursor else {})}
        )
        response.raise_for_status()
        following = response.json()["next_cursor"]
        if following is None:
            break
        cursor = following
        reached += 1
    return cursor, reached


async def _admin_sql(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    import asyncpg
    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    from app import migrate
    from app.db import create_engine, create_sessionmaker
    from app.main import create_app
    from app.repositories.uow import SqlAlchemyUnitOfWork
    from app.repositories.users import User
    from app.services.auth.passwords import hash_password
    from app.services.auth.tokens import issue_token
    from app.services.check import check_invariants
    from app.settings import Settings

    name = f"lading_scale_{secrets.token_hex(4)}"
    base = args.database_url
    url = make_url(base).set(database=name)
    url_text = url.render_as_string(hide_password=False)
    pg_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    await _admin_sql(base, f'CREATE DATABASE "{name}"')
    result: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        await asyncio.to_thread(migrate.upgrade, url_text)
        migrate_seconds = time.perf_counter() - started
        pg = await asyncpg.connect(pg_dsn)
        try:
            server_version = await pg.fetchval("SHOW server_version")
            started = time.perf_counter()
            catalog, loaded, load_timings = await _load(pg, rng, args, now)
            load_seconds = time.perf_counter() - started
            started = time.perf_counter()
            await pg.execute("ANALYZE")
            analyze_seconds = time.perf_counter() - started

            engine = create_engine(url_text, pool_size=5)
            sessionmaker = create_sessionmaker(engine)
            started = time.perf_counter()
            violations = await check_invariants(SqlAlchemyUnitOfWork(sessionmaker))
            check_seconds = time.perf_counter() - started
            if violations:
                raise SystemExit(
                    f"lading check found {len(violations)} violations: {violations[:3]}"
                )

            started = time.perf_counter()
            summaries = await reports.build(sessionmaker, pg)
            print(
                f"reports rebuilt from {summaries['orders']:,} orders in "
                f"{summaries['rebuild_seconds']} s; rows {summaries['rows']}",
                flush=True,
            )

            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                environment="test",
                database_url=url_text,
                secret_key=secrets.token_urlsafe(40),
                inprocess_dispatcher=False,
                log_level="WARNING",
            )
            async with sessionmaker() as session:
                user = User(
                    username="bench-admin",
                    full_name="",
                    password_hash=hash_password("benchpass"),
                    roles=["admin"],
                    active=True,
                    version=1,
                )
                session.add(user)
                await session.commit()
            token = issue_token(user, secret=settings.secret_key.get_secret_value(), minutes=600)
            app = create_app(settings, sessionmaker=sessionmaker)
            capture = Capture()
            event.listen(engine.sync_engine, "before_cursor_execute", capture)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://bench",
                timeout=600,
                headers={"Authorization": f"Bearer {token.access_token}"},
            ) as client:
                deep_cursors: dict[str, str | None] = {}
                deep_cursors["plain"], plain_depth = await _deep_cursor(client, {}, args.deep_pages)
                deep_cursors["approved"], approved_depth = await _deep_cursor(
                    client, {"status": "approved"}, args.deep_pages
                )
                measured = []
                for query in _queries(client, catalog, loaded, now, deep_cursors):
                    measured.append(await _measure(query, args.requests, args.warmup, capture, pg))
                    m = measured[-1]
                    print(
                        f"{m['name']:<40} p50 {m['p50_ms']:>8.2f} ms  p95 {m['p95_ms']:>8.2f} ms"
                        f"  {'pass' if m['pass'] else 'FAIL'}"
                        f"{'  seq scan: ' + ', '.join(m['seq_scans']) if m['seq_scans'] else ''}",
                        flush=True,
                    )
            await engine.dispose()
            sizes = {
                r["relname"]: r["bytes"]
                for r in await pg.fetch(
                    "SELECT relname, pg_total_relation_size(oid) AS bytes FROM pg_class "
                    "WHERE relname = ANY($1::text[]) AND relkind = 'r'",
                    list(BIG_TABLES),
                )
            }
        finally:
            await pg.close()
        result = {
            "benchmark": "scale",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "postgresql": server_version,
                # Other work on the machine skews the figures: the load averages (1, 5, 15
                # minutes) when the measurements ended.
                "loadavg": [round(x, 2) for x in os.getloadavg()],
            },
            "orders": args.orders,
            "seed": args.seed,
            "rows": loaded.counts,
            "table_bytes": sizes,
            "load_seconds": {
                "migrate": round(migrate_seconds, 1),
                **{k: round(v, 1) for k, v in load_timings.items()},
                "total_load": round(load_seconds, 1),
                "analyze": round(analyze_seconds, 1),
                "check": round(check_seconds, 1),
            },
            "check_violations": len(violations),
            "report_summaries": summaries,
            "deep_page": {"no_filter": plain_depth, "status_approved": approved_depth},
            "requests_per_query": args.requests,
            "warmup_per_query": args.warmup,
            "queries": measured,
            "database": name if args.keep else None,
        }
    finally:
        if not args.keep:
            await _admin_sql(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    out = [
        f"# bench/scale: {result['orders']:,} orders",
        "",
        f"- date: {result['date']}, commit: `{result.get('commit', '?')}`",
        f"- machine: {m['cpus']} CPUs, PostgreSQL {m['postgresql']}, Python {m['python']}, "
        f"load average {' / '.join(str(x) for x in m['loadavg'])} when measured",
        "- rows: " + ", ".join(f"{k} {v:,}" for k, v in result["rows"].items()),
        "- load (s): " + ", ".join(f"{k} {v}" for k, v in result["load_seconds"].items()),
        f"- `lading check` after loading: {result['check_violations']} violations",
        _summaries_line(result.get("report_summaries")),
        f"- deep page: page {result['deep_page']['no_filter']} (no filter), "
        f"page {result['deep_page']['status_approved']} (status=approved), "
        "reached by following next_cursor; only that page is timed",
        f"- {result['requests_per_query']} timed requests per query after "
        f"{result['warmup_per_query']} warm-up requests, in-process ASGI (no network)",
        "",
        "| query | p50 ms | p95 ms | target p95 | result | seq scan of a big table |",
        "|---|---:|---:|---:|---|---|",
    ]
    for q in result["queries"]:
        out.append(
            f"| {q['name']} | {q['p50_ms']:.2f} | {q['p95_ms']:.2f} | "
            f"< {q['target_p95_ms']:.0f} | {'pass' if q['pass'] else '**FAIL**'} | "
            f"{', '.join(q['seq_scans']) or '—'} |"
        )
    scanning = [(q, s) for q in result["queries"] for s in q["statements"] if s["seq_scans"]]
    out += ["", "## Plans that scan a big table", ""]
    if not scanning:
        out.append("None: every captured statement reads the big tables through an index.")
    for q, s in scanning:
        out += [
            f"### {q['name']} ({', '.join(s['seq_scans'])})",
            "",
            "```sql",
            s["sql"],
            "```",
            "",
            "```",
            s["plan"],
            "```",
            "",
        ]
    out += ["", "## The reports' plans", ""]
    for q in result["queries"]:
        if q["kind"] != "report":
            continue
        out += [f"### {q['name']}", ""]
        for s in q["statements"]:
            out += ["```sql", s["sql"], "```", "", "```", s["plan"], "```", ""]
    return "\n".join(out) + "\n"


def _summaries_line(s: dict[str, Any] | None) -> str:
    if not s:
        return "- reports' summaries: not built"
    rows = ", ".join(f"{k} {v:,}" for k, v in s["rows"].items())
    return (
        f"- reports' summaries: rebuilt from {s['orders']:,} orders in {s['rebuild_seconds']} s "
        f"(rows: {rows}); `lading check`'s sample comparison {s['check_seconds']} s, "
        f"{s['check_violations']} violations"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--orders", type=int, default=20_000)
    p.add_argument("--lines", type=int, default=3)
    p.add_argument("--customers", type=int, default=1_000)
    p.add_argument("--products", type=int, default=10_000)
    p.add_argument("--warehouses", type=int, default=5)
    p.add_argument("--requests", type=int, default=30, help="timed requests per query")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests per query first")
    p.add_argument("--deep-pages", type=int, default=50, help="page number of the deep page")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--output", type=Path, default=RESULTS, help="folder for the results")
    p.add_argument(
        "--database-url",
        default=os.environ.get(
            "LADING_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    return p


def main() -> None:
    args = parser().parse_args()
    result = asyncio.run(run(args))
    result["commit"] = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if dirty:
        result["commit"] += " (with uncommitted changes)"
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"scale-{args.orders}.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.output / f"scale-{args.orders}.md").write_text(markdown(result))
    print(f"wrote {args.output}/scale-{args.orders}.json and .md")


if __name__ == "__main__":
    main()
