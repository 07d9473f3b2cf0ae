"""What replenishment reads of products, stock and purchase orders: its candidates (a product
with the quantities it is weighed by) and the suppliers' terms
(``PurchasingRepository.replenishment_candidates`` and ``suppliers`` return them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.replenishment import ProductPosition
from app.repositories.products import Product


@dataclass(frozen=True)
class Candidate:
    """One active product that may need buying, with the quantities replenishment weighs."""

    product: Product
    available: Decimal
    shortage: Decimal
    on_order: Decimal

    def position(self) -> ProductPosition:
        """As the domain's product position (replenishment suggestions, the stock alert)."""
        p = self.product
        return ProductPosition(
            product_id=p.id,
            sku=p.sku,
            available=self.available,
            shortage=self.shortage,
            on_order=self.on_order,
            reorder_point=p.reorder_point,
            reorder_quantity=p.reorder_quantity,
            uom_precision=p.uom_precision,
            supplier_id=p.preferred_supplier_id,
        )


@dataclass(frozen=True)
class SupplierInfo:
    id: uuid.UUID
    code: str
    name: str
    lead_time_days: int
    active: bool
