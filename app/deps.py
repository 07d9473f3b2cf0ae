"""FastAPI dependencies as ``Annotated`` aliases: the unit of work, the caller, permissions."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import httpx
from fastapi import Depends, Header, Query, Request, Response
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from app.adapters.outbound import OutboundGuard
from app.domain.auth import Principal
from app.domain.errors import NotAuthenticated, PreconditionRequired, RuleViolation
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.auth import tokens as auth_tokens
from app.services.bus import MessageBus
from app.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


# Every dependency is ``async def``: FastAPI runs a plain ``def`` one in its thread pool, and
# the hand-over to a thread and back cost about a tenth of an order's CPU (a test checks).


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_bus(request: Request) -> MessageBus:
    """The app's bus, on the app's settings: when ``app.state.settings`` was replaced (tests
    do), the bus is rebuilt on the new ones, so handlers see what the request sees."""
    bus: MessageBus = request.app.state.bus
    settings: Settings = request.app.state.settings
    if bus.settings is not settings:
        bus = MessageBus(
            settings,
            commands=bus.commands,
            reactions=bus.reactions,
            einvoice=bus.context.einvoice,
        )
        request.app.state.bus = bus
    return bus


async def get_bus(request: Request) -> MessageBus:
    return app_bus(request)


async def get_uow(request: Request) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(
        request.app.state.sessionmaker, app_bus(request), request.app.state.read_cache
    )


async def get_uow_factory(request: Request) -> Callable[[], SqlAlchemyUnitOfWork]:
    """For use cases that commit several independent transactions (batch import)."""
    sessionmaker, bus = request.app.state.sessionmaker, app_bus(request)
    cache = request.app.state.read_cache
    return lambda: SqlAlchemyUnitOfWork(sessionmaker, bus, cache)


async def get_carrier_client(request: Request) -> httpx.AsyncClient:
    """The app's pooled HTTP client for carrier calls (tests put a mock transport here)."""
    client: httpx.AsyncClient = request.app.state.carrier_client
    return client


async def get_outbound_guard(request: Request) -> OutboundGuard:
    """The outbound URL rule with name resolution (tests replace its resolver)."""
    guard: OutboundGuard = request.app.state.outbound_guard
    return guard


SettingsDep = Annotated[Settings, Depends(get_settings)]
OutboundGuardDep = Annotated[OutboundGuard, Depends(get_outbound_guard)]
CarrierClientDep = Annotated[httpx.AsyncClient, Depends(get_carrier_client)]
UowDep = Annotated[SqlAlchemyUnitOfWork, Depends(get_uow)]
BusDep = Annotated[MessageBus, Depends(get_bus)]
UowFactoryDep = Annotated[Callable[[], SqlAlchemyUnitOfWork], Depends(get_uow_factory)]


async def authenticate(request: Request) -> Principal:
    """The caller, from the request's headers alone, once per request: ``app.guards`` calls it
    before the body is read, the ``get_principal`` dependency then finds it done."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    settings: Settings = request.app.state.settings
    uow = SqlAlchemyUnitOfWork(request.app.state.sessionmaker, cache=request.app.state.read_cache)
    api_key = await api_key_scheme(request)
    bearer = await oauth2_scheme(request)
    if api_key:
        principal = await auth_tokens.authenticate_api_key(uow, api_key)
    elif bearer:
        principal = await auth_tokens.authenticate_bearer(
            uow, bearer, secret=settings.secret_key.get_secret_value()
        )
    else:
        raise NotAuthenticated("Credentials are required: a bearer token or an X-API-Key header.")
    request.state.principal = principal
    return principal


async def get_principal(
    request: Request,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """The authenticated caller (the security schemes are parameters for the OpenAPI document)."""
    return await authenticate(request)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]

# Put on every protected router: the caller is authenticated before anything else is looked at
# (FastAPI caches the result, so `requires(...)` reuses it).
AUTHENTICATED = [Depends(get_principal)]


def requires(scope: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that authenticates the caller and checks one permission."""

    async def check(principal: CurrentPrincipal) -> Principal:
        principal.require(scope)
        return principal

    check.__name__ = f"requires_{scope.replace(':', '_').replace('-', '_')}"
    return check


async def if_match_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The resource\'s ETag (its version), e.g. "3". Required (428 without).',
        ),
    ] = None,
) -> int:
    """The version an update is based on; updates without one are refused (428)."""
    if if_match is None:
        raise PreconditionRequired("Updates need an If-Match header with the resource's ETag.")
    raw = if_match.strip()
    if raw.startswith("W/"):
        raw = raw[2:]
    raw = raw.strip('"')
    if not raw.isdigit():
        raise RuleViolation.on("header.if-match", "etag_format", 'If-Match must look like "3".')
    return int(raw)


IfMatchDep = Annotated[int, Depends(if_match_version)]


def etag(version: int) -> str:
    return f'"{version}"'


class ETagSetter:
    """Sets the ``ETag`` response header; routes that answer one take ``ETagDep`` (the OpenAPI
    document then lists the header on their success responses, see app/openapi.py)."""

    def __init__(self, response: Response) -> None:
        self.response = response

    def __call__(self, version: int) -> None:
        self.response.headers["ETag"] = etag(version)


async def etag_setter(response: Response) -> ETagSetter:
    return ETagSetter(response)


ETagDep = Annotated[ETagSetter, Depends(etag_setter)]


class PageParams:
    """``?limit=&cursor=`` for every list; ``limit`` is at most ``LADING_PAGE_SIZE_MAX``, which
    the OpenAPI document states as the parameter's maximum (``app.openapi``)."""

    def __init__(self, request: Request, limit: int, cursor: str | None) -> None:
        maximum = request.app.state.settings.page_size_max
        if limit > maximum:
            raise RuleViolation.on(
                "query.limit", "less_than_equal", f"limit must be at most {maximum}."
            )
        self.limit = limit
        self.cursor = cursor


async def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, description="Items per page")] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> PageParams:
    return PageParams(request, limit, cursor)


PageDep = Annotated[PageParams, Depends(page_params)]

# The header of every create that may be repeated safely.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Repeat a create safely: the same key and body return the first answer.",
    ),
]
