"""Demo data for trying Lading (``lading seed-demo``): users of every role, master data, stock.

Running it twice changes nothing the second time. Demo passwords are printed; never use them
outside a trial.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.auth import Principal, Role
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.auth import create_user, principal_for_user

DEMO_USERS = [(f"demo-{role.value}", f"demo-{role.value}-pass", role.value) for role in Role]


async def seed_demo(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    """Load the demo data; returns (username, password, role) of the demo users."""
    for username, password, role in DEMO_USERS:
        async with SqlAlchemyUnitOfWork(sessionmaker) as uow:
            exists = await uow.users.get_by_username(username)
        if exists is None:
            await create_user(
                SqlAlchemyUnitOfWork(sessionmaker),
                username=username,
                password=password,
                roles=[role],
                actor="seed-demo",
            )
    async with SqlAlchemyUnitOfWork(sessionmaker) as uow:
        admin = await uow.users.get_by_username("demo-admin")
    assert admin is not None
    await seed_master_data(sessionmaker, principal_for_user(admin))
    return DEMO_USERS


async def seed_master_data(
    sessionmaker: async_sessionmaker[AsyncSession], principal: Principal
) -> None:
    from app.schemas.common import Address
    from app.schemas.warehouses import WarehouseCreate
    from app.services.warehouses import create_warehouse

    warehouses = [
        ("SH", "上海浦东仓", "上海市", "浦东新区", "31.2304", "121.4737", 10),
        ("GZ", "广州白云仓", "广东省", "白云区", "23.1291", "113.2644", 20),
        ("BJ", "北京顺义仓", "北京市", "顺义区", "40.1289", "116.6544", 30),
    ]
    for code, name, region, district, lat, lon, priority in warehouses:
        async with SqlAlchemyUnitOfWork(sessionmaker) as uow:
            if await uow.warehouses.get_by_code(code):
                continue
        await create_warehouse(
            SqlAlchemyUnitOfWork(sessionmaker),
            WarehouseCreate(
                code=code,
                name=name,
                address=Address(
                    country="CN",
                    region=region,
                    city=region,
                    district=district,
                    street="物流园 1 号",
                ),
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                priority=priority,
            ),
            principal,
        )
