"""Every router, in the order they appear in the OpenAPI document, with their tags."""

from fastapi import APIRouter

from app.routers import auth, health, warehouses

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    warehouses.router,
]

TAGS = [
    {"name": "health", "description": "Liveness, readiness and metrics (no credentials)."},
    {"name": "auth", "description": "Sign-in, the current caller, users and API keys."},
    {"name": "warehouses", "description": "Warehouses and bin locations."},
]
