"""Liveness, readiness and metrics: the only routes that need no credentials."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from app.deps import UowDep
from app.errors import problem, problem_responses
from app.services import health as service

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    database: str
    revision: list[str]


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    """Liveness: answers as long as the process serves requests."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Ready,
    summary="The database is reachable and migrated",
    responses=problem_responses(503),
)
async def readyz(uow: UowDep) -> Ready | Response:
    """Readiness: the database answers and its schema is at the newest migration."""
    state = await service.readiness(uow)
    if not state.reachable:
        return problem(503, "The database is not reachable.", code="database_unavailable")
    if not state.ready:
        return problem(
            503,
            f"The database is at {sorted(state.current)}, not at {sorted(state.heads)}; "
            "run `lading db upgrade`.",
            code="migrations_pending",
        )
    return Ready(status="ready", database="ok", revision=sorted(state.current))


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def metrics(request: Request) -> Response:
    """Request counts and latencies, outbox delivery counts, in Prometheus text format."""
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
