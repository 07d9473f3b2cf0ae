"""The OpenAPI document says what the server does.

FastAPI documents what each route declares; this step adds what holds for every route, so the
routers only list their own statuses (404, 409, 412, 428, 503):

- every error is ``application/problem+json`` with the ``Problem`` schema, nothing else
  (FastAPI's ``HTTPValidationError`` is never sent, so it is dropped);
- an operation with a body can answer 400 (malformed JSON, not UTF-8), 413, 415 and 422;
- an operation with parameters can answer 422; a protected one 401 and 403;
- the ``If-Match`` header is a required header where the route reads it (428 without it);
- the ``ETag`` header is documented on the success responses of routes that set one;
- a list's ``limit`` states the configured maximum (``LADING_PAGE_SIZE_MAX``).
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app.deps import etag_setter, if_match_version
from app.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
BODY_PROBLEMS = (400, 413, 415, 422)
PROTECTED_PROBLEMS = (401, 403)
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
ETAG_HEADER = {
    "description": 'The resource\'s version, e.g. "3": send it back as If-Match to update it',
    "schema": {"type": "string"},
}


def _uses(dependant: Dependant, call: Any) -> bool:
    return any(d.call is call or _uses(d, call) for d in dependant.dependencies)


def _routes_by_operation(routers: Sequence[APIRouter]) -> dict[tuple[str, str], APIRoute]:
    """The routes as the routers declare them (their paths carry the prefix)."""
    return {
        (route.path_format, method.lower()): route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }


def _document_problems(op: dict[str, Any]) -> None:
    responses: dict[str, Any] = op["responses"]
    statuses: set[int] = set()
    if "requestBody" in op:
        statuses.update(BODY_PROBLEMS)
    if op.get("parameters"):
        statuses.add(422)
    if op.get("security"):
        statuses.update(PROTECTED_PROBLEMS)
    for status in statuses:
        responses.setdefault(str(status), {})
    for code, response in responses.items():
        if code[0] in "45":
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            response.setdefault("description", HTTPStatus(int(code)).phrase)
            if response["description"] == "Validation Error":
                response["description"] = HTTPStatus.UNPROCESSABLE_ENTITY.phrase
    op["responses"] = dict(sorted(responses.items()))


def _document_if_match(op: dict[str, Any]) -> None:
    for param in op.get("parameters", []):
        if param["in"] == "header" and param["name"].lower() == "if-match":
            param["name"] = "If-Match"
            param["required"] = True
            param["schema"] = {"type": "string", "title": "If-Match"}
    op["responses"].setdefault("428", _problem(428))
    op["responses"] = dict(sorted(op["responses"].items()))


def _document_etag(op: dict[str, Any]) -> None:
    for code, response in op["responses"].items():
        if code.startswith("2"):
            response.setdefault("headers", {})["ETag"] = ETAG_HEADER


def _document_page_size(op: dict[str, Any], maximum: int) -> None:
    for param in op.get("parameters", []):
        if param["in"] == "query" and param["name"] == "limit":
            param["schema"]["maximum"] = maximum


def build(app: FastAPI, routers: Sequence[APIRouter], *, page_size_max: int) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        separate_input_output_schemas=app.separate_input_output_schemas,
    )
    routes = _routes_by_operation(routers)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            route = routes.get((path, method))
            if route is not None and _uses(route.dependant, if_match_version):
                _document_if_match(op)
            if route is not None and _uses(route.dependant, etag_setter):
                _document_etag(op)
            _document_problems(op)
            _document_page_size(op, page_size_max)
    schemas = spec.get("components", {}).get("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    return spec


def install(app: FastAPI, routers: Sequence[APIRouter], *, page_size_max: int) -> None:
    """Replace ``app.openapi`` with the completed document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app, routers, page_size_max=page_size_max)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
