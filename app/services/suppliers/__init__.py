"""Suppliers: who replenishment buys from."""
