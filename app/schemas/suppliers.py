"""Suppliers: who replenishment buys from, and how long they take."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from app.domain.auth import Principal
from app.schemas.common import Code, Contact, Name, Schema
from app.schemas.patch import Patch
from app.services.suppliers.commands import CreateSupplier, UpdateSupplier

Contacts = Annotated[list[Contact], Field(max_length=50)]
LeadTimeDays = Annotated[int, Field(ge=0, le=3650, description="Days from order to receipt")]


def _columns(data: Schema, given: set[str]) -> dict[str, Any]:
    values = data.model_dump(include=given - {"contacts"})
    # Contacts are stored whole, every field included, so equal lists compare equal.
    values.update(data.model_dump(mode="json", include=given & {"contacts"}))
    return values


class SupplierCreate(Schema):
    code: Code
    name: Name
    contacts: Contacts = Field(default_factory=list)
    lead_time_days: LeadTimeDays = 7
    active: bool = True

    def to_command(self, principal: Principal) -> CreateSupplier:
        return CreateSupplier(principal=principal, **_columns(self, set(type(self).model_fields)))


class SupplierUpdate(Schema):
    """The fields to change; ``contacts`` given replaces the stored list as a whole."""

    name: Patch[Name] = None
    contacts: Patch[Contacts] = None
    lead_time_days: Patch[LeadTimeDays] = None
    active: Patch[bool] = None

    def to_command(
        self, principal: Principal, supplier_id: uuid.UUID, expected_version: int
    ) -> UpdateSupplier:
        return UpdateSupplier(
            principal=principal,
            supplier_id=supplier_id,
            expected_version=expected_version,
            changes=_columns(self, self.model_fields_set),
        )


class SupplierRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    contacts: list[Contact]
    lead_time_days: int
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
