"""Sign-in, the current caller, users and integration API keys."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from app.deps import BusDep, CurrentPrincipal, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.auth import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    Me,
    Token,
    UserCreate,
    UserRead,
)
from app.schemas.common import Page
from app.services.auth import api_keys
from app.services.auth.commands import CreateApiKey, CreateUser, IssueToken, RevokeApiKey

router = APIRouter(prefix="/api/v1", tags=["auth"])
AdminDep = Annotated[Principal, Depends(requires("admin"))]


@router.post(
    "/auth/token",
    response_model=Token,
    summary="Sign in (OAuth2 password flow)",
    responses=problem_responses(401, 422, 429),
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    bus: BusDep,
    uow: UowDep,
) -> Token:
    """Exchange a user name and password for a short-lived bearer token (JWT). Repeated
    failures for a user name or from an address lock them for a while (429, Retry-After)."""
    command = IssueToken(
        username=form.username,
        password=form.password,
        client_address=request.client.host if request.client else "unknown",
    )
    issued = await bus.handle(command, uow)
    return Token(access_token=issued.access_token, expires_in=issued.expires_in)


@router.get("/me", response_model=Me, summary="Who am I", responses=problem_responses(401))
async def me(principal: CurrentPrincipal) -> Me:
    """The authenticated caller with its roles and effective scopes."""
    return Me(
        id=principal.subject_id,
        name=principal.name,
        kind=principal.kind,
        roles=list(principal.roles),
        scopes=sorted(principal.scopes),
    )


@router.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_user(body: UserCreate, bus: BusDep, uow: UowDep, principal: AdminDep) -> UserRead:
    """Create a user with one or more roles (admin only)."""
    command = CreateUser(
        actor=principal.actor,
        username=body.username,
        password=body.password,
        roles=body.roles,
        full_name=body.full_name,
    )
    user = await bus.handle(command, uow)
    return UserRead.model_validate(user)


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create an integration API key",
    responses=problem_responses(401, 403, 422),
)
async def create_api_key(
    body: ApiKeyCreate, bus: BusDep, uow: UowDep, principal: AdminDep
) -> ApiKeyCreated:
    """Create a scoped key for a storefront or integration; the secret is shown only here."""
    command = CreateApiKey(
        principal=principal,
        name=body.name,
        scopes=body.scopes,
        channel=body.channel.value if body.channel else None,
    )
    created = await bus.handle(command, uow)
    return ApiKeyCreated(
        **ApiKeyRead.model_validate(created.record).model_dump(), key=created.secret
    )


@router.get(
    "/api-keys",
    response_model=Page[ApiKeyRead],
    summary="List API keys",
    responses=problem_responses(401, 403, 422),
)
async def list_api_keys(uow: UowDep, principal: AdminDep, page: PageDep) -> Page[ApiKeyRead]:
    """Keys, oldest first, with their scopes and whether they are revoked (never the secret)."""
    result = await api_keys.list_api_keys(uow, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[ApiKeyRead.model_validate(k) for k in result.items],
        next_cursor=result.next_cursor,
    )


@router.post(
    "/api-keys/{key_id}/revoke",
    response_model=ApiKeyRead,
    summary="Revoke an API key",
    responses=problem_responses(401, 403, 404),
)
async def revoke_api_key(
    key_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: AdminDep
) -> ApiKeyRead:
    """Revoke a key at once; revoking twice is harmless."""
    revoked = await bus.handle(RevokeApiKey(principal=principal, key_id=key_id), uow)
    return ApiKeyRead.model_validate(revoked)
