"""Events of make-to-order: production requests (MO).

Outbox topics: ``production.created``, ``production.updated``, ``production.released`` (its
payload is the release document the production system takes: app/adapters/production),
``production.progressed``, ``production.completed``, ``production.cancelled``,
``production.delayed``. The others' payload is the request with the order lines it serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class ProductionCreated(Event):
    entity_type: str = "production_request"
    action: str = "created"
    topic: str | None = "production.created"


@dataclass(frozen=True, kw_only=True)
class ProductionUpdated(Event):
    """Edited, split, combined into another, or linked to another shortage."""

    entity_type: str = "production_request"
    action: str = "updated"
    topic: str | None = "production.updated"


@dataclass(frozen=True, kw_only=True)
class ProductionReleased(Event):
    """Sent to the production system: webhook endpoints taking ``production.released`` (the
    MES) receive the release document."""

    entity_type: str = "production_request"
    action: str = "released"
    topic: str | None = "production.released"


@dataclass(frozen=True, kw_only=True)
class ProductionProgressed(Event):
    entity_type: str = "production_request"
    action: str = "progressed"
    topic: str | None = "production.progressed"


@dataclass(frozen=True, kw_only=True)
class ProductionCompleted(Event):
    """Goods were made (in part or in full): a production movement put them on hand."""

    entity_type: str = "production_request"
    action: str = "completed"
    topic: str | None = "production.completed"


@dataclass(frozen=True, kw_only=True)
class ProductionCancelled(Event):
    entity_type: str = "production_request"
    action: str = "cancelled"
    topic: str | None = "production.cancelled"


@dataclass(frozen=True, kw_only=True)
class ProductionDelayed(Event):
    """Past its due date, or expected after it: the orders it serves expect it later."""

    entity_type: str = "production_request"
    action: str = "delayed"
    topic: str | None = "production.delayed"
