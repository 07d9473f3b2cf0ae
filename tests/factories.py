"""Small builders of master data for tests, written straight through the ORM and committed into
whatever the sessionmaker is bound to (the test's rolled-back transaction, or a real database)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from app.repositories.customers import Customer
from app.repositories.products import PriceList, PriceListItem, Product
from app.repositories.warehouses import Warehouse

D = Decimal


async def make_product(sessionmaker, sku: str | None = None, **kw: Any) -> Product:
    values: dict[str, Any] = {
        "sku": sku or f"SKU-{uuid.uuid4().hex[:6]}",
        "name": "螺丝刀 Screwdriver",
        "currency": "CNY",
        "list_price": D("10.00"),
        "floor_price": D("6.00"),
        "tax_rate": D("0.13"),
        "uom": "pcs",
        "uom_precision": 0,
        "substitutes": [],
        "version": 1,
    }
    values.update(kw)
    async with sessionmaker() as session:
        product = Product(**values)
        session.add(product)
        await session.commit()
    return product


async def make_customer(sessionmaker, code: str | None = None, **kw: Any) -> Customer:
    values: dict[str, Any] = {
        "code": code or f"C-{uuid.uuid4().hex[:6]}",
        "name": "上海华东贸易有限公司",
        "currency": "CNY",
        "credit_limit": D("100000"),
        "tags": [],
        "contacts": [],
        "bill_to": None,
        "ship_to": [
            {
                "id": "st-1",
                "is_default": True,
                "country": "CN",
                "region": "上海市",
                "city": "上海市",
                "district": "浦东新区",
                "street": "张江路 88 号",
            }
        ],
        "version": 1,
    }
    values.update(kw)
    async with sessionmaker() as session:
        customer = Customer(**values)
        session.add(customer)
        await session.commit()
    return customer


async def make_price_list(
    sessionmaker, items: list[tuple[Product, str, str]], **kw: Any
) -> PriceList:
    """``items``: (product, min_quantity, unit_price)."""
    values: dict[str, Any] = {
        "code": f"PL-{uuid.uuid4().hex[:6]}",
        "name": "VIP",
        "currency": "CNY",
        "kind": "customer",
        "version": 1,
    }
    values.update(kw)
    async with sessionmaker() as session:
        price_list = PriceList(**values)
        session.add(price_list)
        await session.flush()
        for product, min_qty, price in items:
            session.add(
                PriceListItem(
                    price_list_id=price_list.id,
                    product_id=product.id,
                    min_quantity=D(min_qty),
                    unit_price=D(price),
                )
            )
        await session.commit()
    return price_list


async def make_warehouse(sessionmaker, code: str | None = None, **kw: Any) -> Warehouse:
    values: dict[str, Any] = {
        "code": code or f"WH-{uuid.uuid4().hex[:8]}",
        "name": "Shanghai DC",
        "priority": 100,
        "version": 1,
    }
    values.update(kw)
    async with sessionmaker() as session:
        warehouse = Warehouse(**values)
        session.add(warehouse)
        await session.commit()
    return warehouse
