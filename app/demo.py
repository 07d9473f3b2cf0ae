"""Demo data for trying Lading (``lading seed-demo``): users of every role, master data, stock.

Running it twice changes nothing the second time. Demo passwords are printed; never use them
outside a trial.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.bootstrap import build_bus
from app.demo_partners import DEMO_DEPOT, DEMO_DEPOT_ROUTING, seed_carriers, seed_fleet, seed_shop
from app.domain.auth import Principal, Role
from app.domain.stock import MovementKind
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.auth.commands import CreateUser
from app.services.auth.tokens import principal_for_user
from app.services.bus import MessageBus
from app.settings import Settings

DEMO_USERS = [(f"demo-{role.value}", f"demo-{role.value}-pass", role.value) for role in Role]


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> list[tuple[str, str, str]]:
    """Load the demo data; returns (username, password, role) of the demo users."""
    bus = build_bus(settings)

    def new_uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessionmaker, bus)

    for username, password, role in DEMO_USERS:
        async with new_uow() as uow:
            exists = await uow.users.get_by_username(username)
        if exists is None:
            command = CreateUser(
                actor="seed-demo", username=username, password=password, roles=[role]
            )
            await bus.handle(command, new_uow())
    async with new_uow() as uow:
        admin = await uow.users.get_by_username("demo-admin")
    assert admin is not None
    await seed_master_data(new_uow, bus, principal_for_user(admin))
    return DEMO_USERS


async def seed_master_data(
    new_uow: Callable[[], SqlAlchemyUnitOfWork], bus: MessageBus, principal: Principal
) -> None:
    """Master data goes in as commands, built (and validated) the way the API builds them."""
    from app.schemas.common import Address
    from app.schemas.warehouses import WarehouseCreate

    warehouses = [
        ("SH", "上海浦东仓", "上海市", "浦东新区", "31.2304", "121.4737", 10),
        ("GZ", "广州白云仓", "广东省", "白云区", "23.1291", "113.2644", 20),
        ("BJ", "北京顺义仓", "北京市", "顺义区", "40.1289", "116.6544", 30),
    ]
    for code, name, region, district, lat, lon, priority in warehouses:
        async with new_uow() as uow:
            if await uow.warehouses.get_by_code(code):
                continue
        body = WarehouseCreate.model_validate(
            {
                "code": code,
                "name": name,
                "address": Address(
                    country="CN",
                    region=region,
                    city=region,
                    district=district,
                    street="物流园 1 号",
                ),
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "priority": priority,
                "time_zone": "Asia/Shanghai",
                **({"routing": DEMO_DEPOT_ROUTING} if code == DEMO_DEPOT else {}),
            }
        )
        await bus.handle(body.to_command(principal), new_uow())
    await _seed_catalogue(new_uow, bus, principal)
    await seed_carriers(new_uow, principal)
    await seed_fleet(new_uow, bus, principal)
    await seed_shop(new_uow, principal)


DEMO_PRODUCTS = [
    ("SCR-001", "十字螺丝刀 Phillips screwdriver", "PH2 × 100 mm", "19.90", "12.00", "general"),
    ("DRL-220", "电钻 Cordless drill", "20 V", "399.00", "299.00", "general"),
    ("GLS-010", "玻璃花瓶 Glass vase", "30 cm", "89.00", "60.00", "fragile"),
    ("BAT-018", "锂电池 Lithium battery pack", "18 V 4 Ah", "259.00", "199.00", "hazardous"),
    ("TAP-050", "胶带 Packing tape", "48 mm × 50 m", "6.50", "4.00", "general"),
]
DEMO_CUSTOMERS = [
    ("HUADONG", "上海华东五金贸易有限公司", None),
    ("NANFANG", "广州南方建材有限公司", "dealers"),
    ("SHOP-RETAIL", "Online store retail customers", None),
]
WORKDAYS = [1, 2, 3, 4, 5]
# Each customer's ship-tos (the first is the default): region, district, street, latitude,
# longitude and the delivery windows (none: any time).
DEMO_SHIP_TOS: dict[str, list[tuple[str, str, str, str, str, list[dict[str, Any]]]]] = {
    "HUADONG": [
        (
            "上海市",
            "浦东新区",
            "张江路 88 号",
            "31.2036",
            "121.5905",
            [
                {"weekdays": WORKDAYS, "start": "09:00", "end": "11:30"},
                {"weekdays": WORKDAYS, "start": "13:30", "end": "17:00"},
            ],
        ),
        (
            "上海市",
            "闵行区",
            "申富路 1 号",
            "31.1120",
            "121.3850",
            [{"weekdays": [*WORKDAYS, 6], "start": "08:00", "end": "12:00"}],
        ),
    ],
    "NANFANG": [
        (
            "广东省",
            "天河区",
            "天河路 385 号",
            "23.1322",
            "113.3215",
            [{"weekdays": [*WORKDAYS, 6], "start": "08:30", "end": "12:00"}],
        )
    ],
    "SHOP-RETAIL": [("北京市", "朝阳区", "建国路 1 号", "39.9087", "116.4597", [])],
}


async def _seed_catalogue(
    new_uow: Callable[[], SqlAlchemyUnitOfWork], bus: MessageBus, principal: Principal
) -> None:
    from app.schemas.customers import CustomerCreate
    from app.schemas.price_lists import PriceListCreate
    from app.schemas.products import ProductCreate
    from app.schemas.suppliers import SupplierCreate
    from app.services.stock.commands import RecordMovement

    uow = new_uow

    async with uow() as u:
        supplier = await u.suppliers.get_by_code("SUP-YONGKANG")
    if supplier is None:
        supplier_body = SupplierCreate.model_validate(
            {
                "code": "SUP-YONGKANG",
                "name": "永康五金工具厂",
                "lead_time_days": 7,
                "contacts": [{"name": "王经理", "phone": "+86 579 8700 0000"}],
            }
        )
        supplier = await bus.handle(supplier_body.to_command(principal), uow())
    for sku, name, spec, price, floor, goods_class in DEMO_PRODUCTS:
        async with uow() as u:
            if await u.products.get_by_sku(sku):
                continue
        product_body = ProductCreate.model_validate(
            {
                "sku": sku,
                "name": name,
                "spec": spec,
                "currency": "CNY",
                "list_price": price,
                "floor_price": floor,
                "tax_rate": "0.13",
                "goods_class": goods_class,
                "weight_kg": "1.2",
                "reorder_point": "20",
                "reorder_quantity": "100",
                "preferred_supplier_id": str(supplier.id),
            }
        )
        await bus.handle(product_body.to_command(principal), uow())
    async with uow() as u:
        made = await u.products.get_by_sku("CAB-900")
    if made is None:  # made to order: an order of it becomes a production request
        made_body = ProductCreate.model_validate(
            {
                "sku": "CAB-900",
                "name": "定制工具柜 Custom tool cabinet",
                "currency": "CNY",
                "list_price": "2680.00",
                "tax_rate": "0.13",
                "weight_kg": "45",
                "supply_method": "make_to_order",
                "production_lead_days": 5,
            }
        )
        await bus.handle(made_body.to_command(principal), uow())
    async with uow() as u:
        dealers = await u.price_lists.get_by_code("PL-DEALERS")
    if dealers is None:
        price_list_body = PriceListCreate.model_validate(
            {
                "code": "PL-DEALERS",
                "name": "经销商价 Dealer prices",
                "kind": "group",
                "customer_group": "dealers",
                "currency": "CNY",
                "items": [
                    {"sku": "DRL-220", "min_quantity": "0", "unit_price": "349.00"},
                    {"sku": "DRL-220", "min_quantity": "10", "unit_price": "329.00"},
                    {"sku": "SCR-001", "min_quantity": "0", "unit_price": "16.50"},
                ],
            }
        )
        await bus.handle(price_list_body.to_command(principal), uow())
    for code, name, group in DEMO_CUSTOMERS:
        async with uow() as u:
            if await u.customers.get_by_code(code):
                continue
        customer_body = CustomerCreate.model_validate(
            {
                "code": code,
                "name": name,
                "currency": "CNY",
                "credit_limit": "200000",
                "customer_group": group,
                "payment_terms_days": 30,
                "contacts": [{"name": "采购部", "phone": "+86 21 5000 0000"}],
                "ship_to": [
                    {
                        "country": "CN",
                        "region": region,
                        "city": region,
                        "district": district,
                        "street": street,
                        "latitude": latitude,
                        "longitude": longitude,
                        "delivery_windows": windows,
                        "is_default": index == 0,
                    }
                    for index, (
                        region,
                        district,
                        street,
                        latitude,
                        longitude,
                        windows,
                    ) in enumerate(DEMO_SHIP_TOS[code])
                ],
            }
        )
        # The demo is seeded by an admin, who decides credit.
        await bus.handle(customer_body.to_command(principal), uow())
    for warehouse, quantity in (("SH", "120"), ("GZ", "60"), ("BJ", "30")):
        for sku, *_ in DEMO_PRODUCTS:
            async with uow() as u:
                product = await u.products.get_by_sku(sku)
                wh = await u.warehouses.get_by_code(warehouse)
                level = await u.stock.get_level(wh.id, product.id) if wh and product else None
            if level is not None:
                continue
            opening = RecordMovement(
                principal=principal,
                warehouse=warehouse,
                sku=sku,
                kind=MovementKind.RECEIPT,
                quantity=Decimal(quantity),
                reason="demo opening stock",
                reference="DEMO-OPENING",
            )
            movement_uow = uow()
            assert isinstance(movement_uow.bus, MessageBus)
            await movement_uow.bus.handle(opening, movement_uow)
