"""Product use cases: create, read, list, update (deactivate)."""

from __future__ import annotations

import uuid
from typing import Any

from app.domain.auth import Principal
from app.domain.errors import DuplicateKey, FieldIssue, NotFound
from app.domain.products import EXISTS, GoodsClass, ProductTerms, product_issues, raise_for_issues
from app.repositories.pagination import PageResult
from app.repositories.products import Product
from app.schemas.products import ProductCreate, ProductUpdate
from app.services.common import apply_update, check_version, record_created
from app.services.unit_of_work import UnitOfWork


def _columns(data: ProductCreate | ProductUpdate) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=isinstance(data, ProductUpdate))
    if values.get("goods_class") is not None:
        values["goods_class"] = GoodsClass(values["goods_class"]).value
    return values


def _terms(values: dict[str, Any]) -> ProductTerms:
    return ProductTerms(
        sku=values["sku"],
        uom_precision=values["uom_precision"],
        list_price=values["list_price"],
        floor_price=values["floor_price"],
        reorder_point=values["reorder_point"],
        reorder_quantity=values["reorder_quantity"],
        substitutes=tuple(values["substitutes"]),
    )


async def _check(uow: UnitOfWork, values: dict[str, Any], *, references: dict[str, Any]) -> None:
    """Check the rules on the product's values (all of them, current ones merged with the
    changes). Only the references given are looked up: a product keeps its existing ones."""
    issues: list[FieldIssue] = []
    supplier_id = references.get("preferred_supplier_id")
    if supplier_id is not None and await uow.suppliers.get(supplier_id) is None:
        issues.append(
            FieldIssue("preferred_supplier_id", EXISTS, f"No supplier with id {supplier_id}.")
        )
    if references.get("substitutes"):
        known = set(await uow.products.get_many_by_sku(references["substitutes"]))
    else:
        known = set(values["substitutes"])
    issues += product_issues(_terms(values), known)
    raise_for_issues(issues)


def _duplicate(sku: str) -> DuplicateKey:
    return DuplicateKey(f"A product with SKU '{sku}' already exists.")


async def create_product(uow: UnitOfWork, data: ProductCreate, principal: Principal) -> Product:
    values = _columns(data)
    async with uow:
        if await uow.products.get_by_sku(data.sku):
            raise _duplicate(data.sku)
        await _check(uow, values, references=values)
        product = Product(**values)
        uow.products.add(product)
        await record_created(uow, principal, "product", product)
        await uow.commit()
    return product


async def _get(uow: UnitOfWork, product_id: uuid.UUID) -> Product:
    product = await uow.products.get(product_id)
    if product is None:
        raise NotFound(f"No product with id {product_id}.")
    return product


async def get_product(uow: UnitOfWork, product_id: uuid.UUID) -> Product:
    async with uow:
        return await _get(uow, product_id)


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
    async with uow:
        return await uow.products.page(
            active=active,
            goods_class=goods_class.value if goods_class else None,
            preferred_supplier_id=preferred_supplier_id,
            q=q,
            limit=limit,
            cursor=cursor,
        )


async def update_product(
    uow: UnitOfWork,
    product_id: uuid.UUID,
    data: ProductUpdate,
    expected_version: int,
    principal: Principal,
) -> Product:
    """Change the given fields; the rules are checked on the product as it would become."""
    changes = _columns(data)
    async with uow:
        product = await _get(uow, product_id)
        check_version(product, expected_version)
        current = {name: getattr(product, name) for name in ProductCreate.model_fields}
        await _check(uow, current | changes, references=changes)
        await apply_update(uow, principal, "product", product, changes, expected_version)
        await uow.commit()
    return product
