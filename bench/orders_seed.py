"""Seeding for bench/place_orders: master data and stock for Lading, straight through SQLAlchemy
Core, and an API key for the storefront channel."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from decimal import Decimal

STOCK = Decimal(10_000_000)


def product_uuid(index: int) -> uuid.UUID:
    """Seeded product ids are md5 of the SKU, so SQL can name a random product by its index
    (``md5('BP' || lpad(:p::text, 5, '0'))::uuid``) in the pgbench replay."""
    return uuid.UUID(hashlib.md5(sku(index).encode()).hexdigest())


def sku(index: int) -> str:
    return f"BP{index:05d}"


async def seed(url: str, products: int, customers: int) -> tuple[str, set[str]]:
    """Master data and stock, straight through SQLAlchemy Core; returns an API key secret and
    the ids of every seeded row (the pgbench replay keeps those and renews all others)."""
    from sqlalchemy import insert

    from app.bootstrap import build_bus, unit_of_work
    from app.db import create_engine, create_sessionmaker
    from app.domain.auth import Principal
    from app.repositories.customers import Customer
    from app.repositories.products import Product
    from app.repositories.stock import StockLevel, StockMovement
    from app.repositories.users import User
    from app.repositories.warehouses import Warehouse
    from app.services.auth.commands import CreateApiKey
    from app.settings import Settings

    engine = create_engine(url)
    now = datetime.now(UTC)
    sites = [
        ("SH", 31.2304, 121.4737),
        ("HZ", 30.2741, 120.1551),
        ("BJ", 39.9042, 116.4074),
        ("GZ", 23.1291, 113.2644),
        ("CD", 30.5728, 104.0668),
    ]
    warehouse_ids = [uuid.uuid4() for _ in sites]
    product_ids = [product_uuid(i) for i in range(products)]
    admin_id = uuid.uuid4()
    customer_ids = [uuid.uuid4() for _ in range(customers)]
    async with engine.begin() as conn:
        await conn.execute(
            insert(Warehouse),
            [
                {
                    "id": wid,
                    "code": code,
                    "name": f"仓库 {code}",
                    "address": None,
                    "latitude": Decimal(str(lat)),
                    "longitude": Decimal(str(lon)),
                    "priority": i,
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, (wid, (code, lat, lon)) in enumerate(zip(warehouse_ids, sites, strict=True))
            ],
        )
        await conn.execute(
            insert(Product),
            [
                {
                    "id": pid,
                    "sku": f"BP{i:05d}",
                    "name": f"商品 {i}",
                    "uom": "pcs",
                    "uom_precision": 0,
                    "goods_class": "general",
                    "currency": "CNY",
                    "list_price": Decimal("19.90"),
                    "floor_price": None,
                    "tax_rate": Decimal("0.13"),
                    "reorder_point": Decimal(0),
                    "reorder_quantity": Decimal(0),
                    "substitutes": [],
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, pid in enumerate(product_ids)
            ],
        )
        await conn.execute(
            insert(Customer),
            [
                {
                    "id": customer_ids[i],
                    "code": f"BC{i:05d}",
                    "name": f"客户 {i}",
                    "status": "active",
                    "credit_limit": Decimal("100000000"),
                    "currency": "CNY",
                    "payment_terms_days": 30,
                    "tags": [],
                    "contacts": [],
                    "bill_to": None,
                    "fulfillment_policy": "ship_partial",
                    "ship_to": [
                        {
                            "id": str(uuid.uuid4()),
                            "is_default": True,
                            "country": "CN",
                            "city": "上海市",
                            "street": f"张江路 {i} 号",
                            "latitude": "31.2",
                            "longitude": "121.5",
                        }
                    ],
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(customers)
            ],
        )
        for wid in warehouse_ids:
            await conn.execute(
                insert(StockLevel),
                [
                    {
                        "warehouse_id": wid,
                        "product_id": pid,
                        "on_hand": STOCK,
                        "reserved": Decimal(0),
                        "updated_at": now,
                    }
                    for pid in product_ids
                ],
            )
            await conn.execute(
                insert(StockMovement),
                [
                    {
                        "id": uuid.uuid4(),
                        "warehouse_id": wid,
                        "product_id": pid,
                        "kind": "receipt",
                        "quantity": STOCK,
                        "reason": "bench seed",
                        "reference": "BENCH",
                        "actor": "bench",
                        "created_at": now,
                    }
                    for pid in product_ids
                ],
            )
        await conn.execute(
            insert(User),
            [
                {
                    "id": admin_id,
                    "username": "bench-admin",
                    "full_name": "",
                    "password_hash": "-",
                    "roles": ["admin"],
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    principal = Principal(str(admin_id), "bench-admin", "user", ("admin",), frozenset({"admin"}))
    bus = build_bus(Settings(_env_file=None))
    command = CreateApiKey(
        principal=principal,
        name="bench storefront",
        scopes=["orders:write", "orders:read", "orders:payment"],
        channel="storefront",
    )
    created = await bus.handle(command, unit_of_work(create_sessionmaker(engine), bus))
    await engine.dispose()
    seeded = {
        str(x) for x in [*warehouse_ids, *product_ids, *customer_ids, admin_id, created.record.id]
    }
    return created.secret, seeded
