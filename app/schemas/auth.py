"""Tokens, the current caller, users and integration API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.orders import Channel
from app.schemas.common import Schema

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@\-]+$"
    ),
]


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")


class Me(BaseModel):
    id: str
    name: str
    kind: str = Field(description="user or api_key")
    roles: list[str]
    scopes: list[str]


class UserCreate(Schema):
    username: Username
    password: str = Field(min_length=8, max_length=256)
    full_name: str = Field(default="", max_length=200)
    roles: list[str] = Field(min_length=1)


class UserRead(Schema):
    id: uuid.UUID
    username: str
    full_name: str
    roles: list[str]
    active: bool
    created_at: datetime


class ApiKeyCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, examples=[["orders:write", "stock:read"]])
    channel: Channel | None = Field(
        default=None,
        description="The sales channel the key speaks for; required with orders:payment "
        "(a key reports payments only for orders of its channel)",
    )


class ApiKeyRead(Schema):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it")
    scopes: list[str]
    channel: Channel | None
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret key. It is shown only this once.")
