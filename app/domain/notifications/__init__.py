"""Customer and staff notifications: what is told, to whom, on which channel."""
