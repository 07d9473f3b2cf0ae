"""Checks on every request before FastAPI parses its inputs (``InputGuard``, an ASGI middleware).

- **NUL characters** (``app.domain.text``) are refused wherever text comes in: one in the path
  answers 404 (no resource has such a name), one in a query parameter 422 on ``query.<name>``,
  one in a form field or a JSON string 422 on ``body.<path>`` — rule ``no_nul``. The path and the
  query string are looked at before routing and before authentication: the answer is the same
  for every route and says nothing about any data, so a caller without credentials learns
  nothing from it. Bodies are looked at only after authentication (below).
- **Authentication before the body.** FastAPI reads and parses a body before it resolves the
  route's dependencies. So when a route that FastAPI parses a body for (JSON or a form) asks
  for its body, a protected route (one that depends on ``get_principal``) first authenticates
  the caller from the headers: without valid credentials nothing of the body is read (401).
- **Body size.** Such a body is at most ``max_body_bytes``: 413 from its ``Content-Length``
  before reading, or as soon as the streamed bytes pass the limit. Routes that read their body
  themselves (batch imports, carrier webhooks) keep their own limits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl

from fastapi import FastAPI, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.deps import authenticate, get_principal
from app.domain.errors import DomainError, FieldIssue, NotFound, PayloadTooLarge, RuleViolation
from app.domain.text import has_nul, nul_issues, nul_pairs
from app.errors import domain_problem, status_for

JSON_NUL = b"\\u0000"


class Refused(HTTPException):
    """A domain error raised while FastAPI reads a body (it lets only HTTP exceptions through
    unchanged there); rendered as the domain error itself."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(status_for(error), error.detail)
        self.error = error


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def needs_principal(route: APIRoute) -> bool:
    return any(d.call is get_principal for d in _dependencies(route.dependant))


def _bad_input(issues: list[FieldIssue]) -> RuleViolation:
    return RuleViolation("The request is not valid.", issues=issues, code="validation_error")


def _body_issues(body: bytes, content_type: str) -> list[FieldIssue]:
    if content_type == "application/x-www-form-urlencoded":
        if b"%00" not in body and b"\x00" not in body:
            return []
        return nul_pairs(parse_qsl(body.decode("latin-1"), keep_blank_values=True), "body")
    # A JSON string can hold a NUL only as the escape \u0000 (a raw one is invalid JSON), so
    # documents without it are not parsed twice.
    if JSON_NUL not in body:
        return []
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return []  # FastAPI answers the malformed body itself
    return nul_issues(document, ("body",))


def _request_issues(scope: Scope) -> DomainError | None:
    if has_nul(scope["path"]):
        return NotFound("No resource at this path.")
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    issues = nul_pairs(query, "query")
    return _bad_input(issues) if issues else None


class _GuardedBody:
    """The ``receive`` of one request: on the first read of a body FastAPI parses, authenticate
    (protected routes), enforce the size limit, check the text, then hand the body over."""

    def __init__(self, guard: InputGuard, scope: Scope, receive: Receive) -> None:
        self.guard = guard
        self.scope = scope
        self.receive = receive
        self.checked = False

    async def __call__(self) -> Message:
        if self.checked:
            return await self.receive()
        self.checked = True
        route = self.scope.get("route")
        if not isinstance(route, APIRoute) or route.body_field is None:
            return await self.receive()
        request = Request(self.scope)
        try:
            if self.guard.needs_principal(route):
                await authenticate(request)
            body = await self._read(request)
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            issues = _body_issues(body, content_type)
            if issues:
                raise _bad_input(issues)
        except DomainError as exc:
            raise Refused(exc) from exc
        return {"type": "http.request", "body": body, "more_body": False}

    async def _read(self, request: Request) -> bytes:
        limit = self.guard.max_body_bytes
        too_large = PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes.")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class InputGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self._protected: dict[int, bool] = {}

    def needs_principal(self, route: APIRoute) -> bool:
        key = id(route)
        if key not in self._protected:
            self._protected[key] = needs_principal(route)
        return self._protected[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = _request_issues(scope)
        if refused is not None:
            await domain_problem(refused)(scope, receive, send)
            return
        await self.app(scope, _GuardedBody(self, scope, receive), send)


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return domain_problem(exc.error)


def install(app: FastAPI, *, max_body_bytes: int) -> None:
    app.add_exception_handler(Refused, _refused)
    app.add_middleware(InputGuard, max_body_bytes=max_body_bytes)
