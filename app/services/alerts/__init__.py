"""Exception alerts: raised by reactions and the worker's scan, acknowledged and resolved by
staff (``app.domain.alerts`` holds the rules)."""
