"""Reading products."""

from __future__ import annotations

import uuid

from app.domain.products import GoodsClass
from app.repositories.pagination import PageResult
from app.repositories.products import Product
from app.services.resources import get_record, list_records
from app.services.unit_of_work import UnitOfWork


async def get_product(uow: UnitOfWork, product_id: uuid.UUID) -> Product:
    return await get_record(uow, lambda u: u.products, product_id)


async def list_products(
    uow: UnitOfWork,
    *,
    active: bool | None,
    goods_class: GoodsClass | None,
    preferred_supplier_id: uuid.UUID | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Product]:
    return await list_records(
        uow,
        lambda u: u.products.page(
            active=active,
            goods_class=goods_class.value if goods_class else None,
            preferred_supplier_id=preferred_supplier_id,
            q=q,
            limit=limit,
            cursor=cursor,
        ),
    )
