"""Suppliers: who replenishment buys from, and how long they take."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.schemas.common import Code, Contact, Name, Schema
from app.schemas.patch import Patch

Contacts = Annotated[list[Contact], Field(max_length=50)]
LeadTimeDays = Annotated[int, Field(ge=0, le=3650, description="Days from order to receipt")]


class SupplierCreate(Schema):
    code: Code
    name: Name
    contacts: Contacts = Field(default_factory=list)
    lead_time_days: LeadTimeDays = 7
    active: bool = True


class SupplierUpdate(Schema):
    """The fields to change; ``contacts`` given replaces the stored list as a whole."""

    name: Patch[Name] = None
    contacts: Patch[Contacts] = None
    lead_time_days: Patch[LeadTimeDays] = None
    active: Patch[bool] = None


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
