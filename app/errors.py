"""Everything that goes wrong leaves as RFC 9457 ``application/problem+json``.

One table maps domain exceptions to a status; request validation, routing errors (404, 405)
and unexpected exceptions (500, with no stack trace or SQL in the body) render the same way.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain import errors as e
from app.observability import current_request_id

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: list[tuple[type[e.DomainError], int]] = [
    (e.PayloadTooLarge, 413),
    (e.NotFound, 404),
    (e.MalformedRequest, 400),
    (e.CarrierUnavailable, 503),
    (e.NotAuthenticated, 401),
    (e.PermissionDenied, 403),
    (e.StaleVersion, 412),
    (e.PreconditionRequired, 428),
    (e.TooManyAttempts, 429),
    (e.Conflict, 409),
    (e.RuleViolation, 422),
    (e.DomainError, 422),
]

CODE_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "stale_version",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


def status_for(exc: e.DomainError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(exc, kind):
            return status
    return 422  # pragma: no cover - DomainError is last in the table


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Render one problem document."""
    code = code or CODE_BY_STATUS.get(status, "error")
    body: dict[str, Any] = {
        "type": f"urn:lading:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.DomainError)
    return domain_problem(exc)


def domain_problem(exc: e.DomainError) -> JSONResponse:
    """The problem document of a domain error."""
    status = status_for(exc)
    headers = None
    if status == 401:
        # Carriers authenticate by signing the body, not with a bearer token.
        headers = {"WWW-Authenticate": "Signature" if isinstance(exc, e.BadSignature) else "Bearer"}
    if isinstance(exc, e.TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    errors = [{"field": i.field, "rule": i.rule, "message": i.message} for i in exc.issues]
    return problem(status, exc.detail, code=exc.code, errors=errors or None, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    malformed = False
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        errors.append(
            {
                "field": _field_path(err.get("loc", ())),
                "rule": str(err.get("type", "invalid")),
                "message": str(err.get("msg", "invalid value")),
            }
        )
    if malformed:
        return problem(
            400, "The request body is not valid JSON.", code="malformed_json", errors=errors
        )
    return problem(422, "The request is not valid.", code="validation_error", errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    if status == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}."
    if status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    return problem(status, detail, headers=getattr(exc, "headers", None))


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    """The database's own checks are the second line (DESIGN §3). A unique key lost in a race
    is a conflict; anything else the database refused is a bug, logged as one."""
    from app.repositories.uow import is_unique_violation

    if is_unique_violation(exc):
        return problem(409, "A record with the same unique key already exists.", code="duplicate")
    return await _unexpected(request, exc)


async def _stale_data(request: Request, exc: Exception) -> JSONResponse:
    return problem(
        412,
        "The resource was changed by someone else meanwhile; reload and retry.",
        code="stale_version",
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("request.failed", extra={"path": request.url.path})
    return problem(500, "An unexpected error occurred; it has been logged.")


async def _einvoice_error(request: Request, exc: Exception) -> JSONResponse:
    """The e-invoice provider refused or failed: nothing was changed (the unit of work rolled
    back); the code is the provider error's own."""
    from app.adapters.einvoice.base import EInvoiceError

    assert isinstance(exc, EInvoiceError)
    log.warning("einvoice.failed", extra={"path": request.url.path, "code": exc.code})
    return problem(502, f"The e-invoice provider failed: {exc}", code=exc.code)


async def _routing_error(request: Request, exc: Exception) -> JSONResponse:
    """The road-routing engine (OSRM) failed: no plan was written."""
    log.warning("routing.failed", extra={"path": request.url.path, "reason": str(exc)})
    return problem(502, f"The routing engine failed: {exc}", code="routing_unavailable")


def install(app: FastAPI) -> None:
    from app.adapters.einvoice.base import EInvoiceError
    from app.adapters.routing.matrix import RoutingUnavailable

    app.add_exception_handler(EInvoiceError, _einvoice_error)
    app.add_exception_handler(RoutingUnavailable, _routing_error)
    app.add_exception_handler(e.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale_data)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry for a route: each status documented as a Problem."""
    from app.schemas.common import Problem

    return {
        s: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": HTTPStatus(s).phrase}
        for s in statuses
    }
