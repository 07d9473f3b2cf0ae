"""House rule: every dependency of every route is a coroutine. FastAPI runs a plain ``def``
dependency in its thread pool; on the order path the hand-over to a thread and back cost more
than a tenth of the request's CPU (issue 20's profile)."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordRequestForm

from app.routers import ROUTERS

# The sign-in form is FastAPI's own class; sign-in is rare and argon2-bound anyway.
ALLOWED: set[Any] = {OAuth2PasswordRequestForm}


def _is_async(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004 - security schemes are async callables
    )


def _sync_dependencies(dependant: Any, route: APIRoute, found: set[str]) -> None:
    for sub in dependant.dependencies:
        if sub.call is not None and sub.call not in ALLOWED and not _is_async(sub.call):
            found.add(f"{route.path}: {getattr(sub.call, '__qualname__', sub.call)}")
        _sync_dependencies(sub, route, found)


def test_every_route_dependency_is_async() -> None:
    found: set[str] = set()
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 100
    for route in routes:
        _sync_dependencies(route.dependant, route, found)
    assert not found, sorted(found)
