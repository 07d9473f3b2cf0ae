"""Replenishment and purchase orders: what to buy, ordering it, and receiving the goods."""
