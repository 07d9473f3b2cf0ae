"""After-sales use cases: service cases, returns (RMA) from request to resolution, delivery
feedback. One area: its packages import each other, never another area (reactions of billing,
orders and stock to after-sales events are handlers in those areas)."""
