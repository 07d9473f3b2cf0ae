"""Where routed events go for other systems: the port and its NATS JetStream implementation."""

from app.adapters.eventbus.base import EventBus, EventBusError
from app.adapters.eventbus.jetstream import NatsEventBus

__all__ = ["EventBus", "EventBusError", "NatsEventBus"]
