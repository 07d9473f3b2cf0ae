"""Demo data beyond the catalogue: the own fleet at its depot, the carriers (the fake carrier
server's among them) and a storefront connection to the fake shop (``lading seed-demo``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.auth import Principal
from app.domain.outbound_urls import OutboundPolicy
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.bus import MessageBus

# The own fleet's depot: Shanghai, slower in the morning and evening rush hours.
DEMO_DEPOT = "SH"
DEMO_DEPOT_ROUTING: dict[str, Any] = {
    "average_speed_kmh": "32",
    "road_factor": "1.35",
    "service_minutes": 8,
    "service_minutes_per_package": "1",
    "traffic": [
        {"start": "07:00", "end": "09:30", "speed_factor": "0.6"},
        {"start": "17:00", "end": "19:00", "speed_factor": "0.7"},
    ],
}
DEMO_VEHICLES: list[dict[str, Any]] = [
    {
        "code": "VAN-01",
        "name": "依维柯 4.2 m 厢式车 Iveco van",
        "plate": "沪A·D1234",
        "capacity_kg": "1500",
        "capacity_m3": "12",
        "shift_start": "08:00",
        "shift_end": "18:00",
        "fixed_cost": "200",
        "cost_per_km": "1.8",
        "cost_per_hour": "45",
        "goods_classes": ["general", "fragile"],
        "driver_name": "李建国",
        "driver_phone": "+86 139 1600 0001",
    },
    {
        "code": "VAN-02",
        "name": "江铃 3.8 m 厢式车 JMC van",
        "plate": "沪A·D5678",
        "capacity_kg": "1000",
        "capacity_m3": "9",
        "shift_start": "09:00",
        "shift_end": "19:00",
        "max_route_minutes": 480,
        "fixed_cost": "160",
        "cost_per_km": "1.5",
        "cost_per_hour": "40",
        "goods_classes": ["general", "hazardous"],
        "driver_name": "王海",
        "driver_phone": "+86 139 1600 0002",
    },
    {
        "code": "COLD-01",
        "name": "冷藏车 Refrigerated truck",
        "plate": "沪B·L0001",
        "capacity_kg": "800",
        "capacity_m3": "6",
        "shift_start": "06:00",
        "shift_end": "14:00",
        "fixed_cost": "260",
        "cost_per_km": "2.4",
        "cost_per_hour": "50",
        "goods_classes": ["general", "cold_chain"],
        "driver_name": "陈磊",
        "driver_phone": "+86 139 1600 0003",
    },
]


async def seed_fleet(
    new_uow: Callable[[], SqlAlchemyUnitOfWork], bus: MessageBus, principal: Principal
) -> None:
    from app.schemas.vehicles import VehicleCreate

    for vehicle in DEMO_VEHICLES:
        async with new_uow() as uow:
            if await uow.vehicles.get_by_code(vehicle["code"]):
                continue
        body = VehicleCreate.model_validate({"depot": DEMO_DEPOT, "currency": "CNY", **vehicle})
        await bus.handle(body.to_command(principal), new_uow())


# The fake carrier `make run DEMO=1` starts beside the service (``lading fake-carrier``).
FAKE_CARRIER_URL = "http://127.0.0.1:8099"
FAKE_CARRIER_KEYS = '{"api_key": "demo-key", "webhook_secret": "fake-carrier-secret"}'
DEMO_CARRIERS: list[dict[str, Any]] = [
    {
        "code": "FLEET",
        "name": "自营车队 Own fleet",
        "adapter_kind": "table_rate",
        "webhooks": False,  # a table-rate carrier takes no webhooks (and is not polled)
        "services": [{"code": "van", "name": "Van"}],
        "coverage": {"CN": ["上海市", "浙江省", "江苏省"]},
        "max_package_weight_kg": "500",
        "goods_classes": ["general", "fragile", "hazardous"],
        "transit_days": {"local": 1, "near": 2},
        "rates": {"local": {"base": "20", "per_kg": "0.5"}, "near": {"base": "40", "per_kg": "1"}},
        "cutoff_time": "16:00",
        "zone_rules": {"CN/上海市": "local", "default": "near"},
    },
    {
        "code": "REGIONAL",
        "name": "华东快运 Regional express (fake carrier, generic JSON)",
        "adapter_kind": "generic_json",
        "endpoint": FAKE_CARRIER_URL,
        "credentials": FAKE_CARRIER_KEYS,
        # `make run DEMO=1` starts the fake with --webhook-url .../webhooks/carriers/REGIONAL.
        "webhooks": True,
        "services": [
            {"code": "express", "name": "Express"},
            {"code": "economy", "name": "Economy"},
        ],
        "coverage": {"CN": []},
        "max_package_weight_kg": "30",
        "goods_classes": ["general", "fragile"],
        "transit_days": {"national": 3},
        "rates": {"national": {"base": "12", "per_kg": "1.5"}},
        "cutoff_time": "18:00",
        "zone_rules": {"default": "national"},
    },
    {
        "code": "EASYPOST",
        "name": "EasyPost (fake carrier, EasyPost v2 shapes)",
        "adapter_kind": "easypost",
        "endpoint": FAKE_CARRIER_URL,
        "credentials": FAKE_CARRIER_KEYS,
        "webhooks": False,  # polled by the worker
        "coverage": {"CN": [], "US": []},
        "max_package_weight_kg": "30",
        "goods_classes": ["general"],
        "transit_days": {"intl": 5},
        "rates": {"intl": {"base": "60", "per_kg": "8"}},
        "cutoff_time": "15:00",
        "zone_rules": {"default": "intl"},
    },
]


async def seed_carriers(new_uow: Callable[[], SqlAlchemyUnitOfWork], principal: Principal) -> None:
    from app.adapters.outbound import OutboundGuard
    from app.schemas.carriers import CarrierCreate
    from app.services.bus import MessageBus
    from app.services.shipments.carriers.commands import CreateCarrier

    guard = OutboundGuard(OutboundPolicy())  # the demo carriers are on loopback
    for body in DEMO_CARRIERS:
        async with new_uow() as uow:
            if await uow.carriers.get_by_code(body["code"]):
                continue
        columns = CarrierCreate.model_validate({"currency": "CNY", **body}).columns()
        uow = new_uow()
        assert isinstance(uow.bus, MessageBus)
        await uow.bus.handle(CreateCarrier(columns=columns, principal=principal, guard=guard), uow)


# The fake Shopify shop `make run DEMO=1` starts beside the service (``lading fake-shop``): it
# sends a signed orders/create to /api/v1/webhooks/storefronts/DEMO-SHOP and takes the
# fulfilment back on its loopback Admin API.
FAKE_SHOP_URL = "http://127.0.0.1:8097"
FAKE_SHOP_SECRET = "fake-shop-secret"
FAKE_SHOP_TOKEN = "shpat_fake-shop-token"
DEMO_SHOP: dict[str, Any] = {
    "code": "DEMO-SHOP",
    "name": "Demo Shopify shop (fake)",
    "platform": "shopify",
    "base_url": FAKE_SHOP_URL,
    "webhook_secret": FAKE_SHOP_SECRET,
    "access_token": FAKE_SHOP_TOKEN,
    "customer_mode": "per_customer",
    "notify_customer": True,
}


async def seed_shop(new_uow: Callable[[], SqlAlchemyUnitOfWork], principal: Principal) -> None:
    from app.adapters.outbound import OutboundGuard
    from app.schemas.storefronts import StorefrontConnectionCreate
    from app.services.bus import MessageBus
    from app.services.storefronts.commands import CreateStorefrontConnection

    async with new_uow() as uow:
        if await uow.storefronts.get_by_code(DEMO_SHOP["code"]):
            return
    body = StorefrontConnectionCreate.model_validate(DEMO_SHOP)
    uow = new_uow()
    assert isinstance(uow.bus, MessageBus)
    guard = OutboundGuard(OutboundPolicy())  # the fake shop is on loopback
    command = CreateStorefrontConnection(
        columns=body.columns(), skus=body.mapping(), principal=principal, guard=guard
    )
    await uow.bus.handle(command, uow)
