"""SQLAlchemy models and repositories. Importing this package registers every table."""

from app.repositories import (
    carriers,
    customers,
    events,
    exchange_rates,
    login_throttle,
    orders,
    picking,
    products,
    purchasing,
    reservations,
    reviews,
    settings,
    shipments,
    stock,
    transfers,
    users,
    warehouses,
)
from app.repositories.base import Base

__all__ = [
    "Base",
    "carriers",
    "customers",
    "events",
    "exchange_rates",
    "login_throttle",
    "orders",
    "picking",
    "products",
    "purchasing",
    "reservations",
    "reviews",
    "settings",
    "shipments",
    "stock",
    "transfers",
    "users",
    "warehouses",
]
