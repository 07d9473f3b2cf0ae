"""Delivery planning's outside help: the route solver (PyVRP) and the travel matrix providers."""
