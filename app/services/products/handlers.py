"""Product commands: create, update (deactivate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import DuplicateKey, FieldIssue
from app.domain.products import EXISTS, ProductTerms, product_issues, raise_for_issues
from app.repositories.products import Product
from app.services.bus import Context
from app.services.common import check_version
from app.services.products.commands import PRODUCT_FIELDS, CreateProduct, UpdateProduct
from app.services.resources import columns_of, create_record, patch_record
from app.services.unit_of_work import UnitOfWork


def _terms(values: Mapping[str, Any]) -> ProductTerms:
    return ProductTerms(
        sku=values["sku"],
        uom_precision=values["uom_precision"],
        list_price=values["list_price"],
        floor_price=values["floor_price"],
        reorder_point=values["reorder_point"],
        reorder_quantity=values["reorder_quantity"],
        substitutes=tuple(values["substitutes"]),
    )


async def _check(
    uow: UnitOfWork, values: Mapping[str, Any], *, references: Mapping[str, Any]
) -> None:
    """Check the rules on the product's values (all of them, current ones merged with the
    changes). Only the references given are looked up: a product keeps its existing ones."""
    issues: list[FieldIssue] = []
    supplier_id = references.get("preferred_supplier_id")
    if supplier_id is not None and await uow.suppliers.get(supplier_id) is None:
        issues.append(
            FieldIssue("preferred_supplier_id", EXISTS, f"No supplier with id {supplier_id}.")
        )
    warehouse_id = references.get("production_warehouse_id")
    if warehouse_id is not None and await uow.warehouses.get(warehouse_id) is None:
        issues.append(
            FieldIssue("production_warehouse_id", EXISTS, f"No warehouse with id {warehouse_id}.")
        )
    if references.get("substitutes"):
        known = set(await uow.products.get_many_by_sku(references["substitutes"]))
    else:
        known = set(values["substitutes"])
    issues += product_issues(_terms(values), known)
    raise_for_issues(issues)


async def create_product(cmd: CreateProduct, uow: UnitOfWork, ctx: Context) -> Product:
    values = columns_of(cmd)

    async def check(uow: UnitOfWork) -> None:
        if await uow.products.get_by_sku(cmd.sku):
            raise DuplicateKey(f"A product with SKU '{cmd.sku}' already exists.")
        await _check(uow, values, references=values)

    return await create_record(
        uow,
        lambda u: u.products,
        Product(**values),
        principal=cmd.principal,
        entity_type="product",
        check=check,
    )


async def update_product(cmd: UpdateProduct, uow: UnitOfWork, ctx: Context) -> Product:
    """Change the given fields; the rules are checked on the product as it would become."""

    async def check(product: Product) -> None:
        check_version(product, cmd.expected_version)
        current = {name: getattr(product, name) for name in PRODUCT_FIELDS}
        await _check(uow, current | dict(cmd.changes), references=cmd.changes)

    return await patch_record(
        uow,
        lambda u: u.products,
        cmd.product_id,
        cmd.changes,
        cmd.expected_version,
        principal=cmd.principal,
        entity_type="product",
        check=check,
    )
