"""Price lists: customer and group lists with quantity breaks and validity dates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from app.domain.auth import Principal
from app.domain.price_lists import ItemDraft, PriceListKind
from app.schemas.common import (
    AmountOut,
    Code,
    CurrencyCode,
    DecimalOut,
    Name,
    NonNegativeMoney,
    Schema,
)
from app.schemas.patch import Patch
from app.schemas.products import NonNegativeQuantity
from app.services.price_lists.commands import HEADER, CreatePriceList, UpdatePriceList

CustomerGroup = Annotated[Code, Field(description="Required for (and only for) a group list")]
# A list holds at most this many items in one request; bigger catalogues are split by list.
MAX_ITEMS = 5000


class PriceListItemIn(Schema):
    sku: Code
    min_quantity: NonNegativeQuantity = Field(
        default=Decimal("0"), description="The price applies from this quantity up"
    )
    unit_price: NonNegativeMoney
    valid_from: date | None = None
    valid_to: date | None = Field(default=None, description="Inclusive; not before valid_from")

    def draft(self) -> ItemDraft:
        return ItemDraft(
            self.sku, self.unit_price, self.min_quantity, self.valid_from, self.valid_to
        )


Items = Annotated[list[PriceListItemIn], Field(max_length=MAX_ITEMS)]


class PriceListCreate(Schema):
    code: Code
    name: Name
    kind: PriceListKind = PriceListKind.CUSTOMER
    customer_group: CustomerGroup | None = None
    currency: CurrencyCode = Field(description="ISO 4217, e.g. CNY")
    active: bool = True
    items: Items = Field(default_factory=list)

    def to_command(self, principal: Principal) -> CreatePriceList:
        return CreatePriceList(
            principal=principal,
            **self.model_dump(include={"code", *HEADER}),
            items=[item.draft() for item in self.items],
        )


class PriceListUpdate(Schema):
    """Header fields to change; ``items``, when given, replaces every item of the list."""

    name: Patch[Name] = None
    kind: Patch[PriceListKind] = None
    customer_group: CustomerGroup | None = None
    currency: Patch[CurrencyCode] = None
    active: Patch[bool] = None
    items: Patch[Items] = None

    def to_command(
        self, principal: Principal, price_list_id: uuid.UUID, expected_version: int
    ) -> UpdatePriceList:
        return UpdatePriceList(
            principal=principal,
            price_list_id=price_list_id,
            expected_version=expected_version,
            changes=self.model_dump(exclude_unset=True, include=set(HEADER)),
            items=[item.draft() for item in self.items] if self.items is not None else None,
        )


class PriceListItemRead(Schema):
    sku: str
    min_quantity: DecimalOut
    unit_price: AmountOut
    valid_from: date | None
    valid_to: date | None


class PriceListRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    kind: PriceListKind
    customer_group: str | None
    currency: str
    active: bool
    items: list[PriceListItemRead] = Field(description="By SKU, quantity break and valid_from")
    version: int
    created_at: datetime
    updated_at: datetime
