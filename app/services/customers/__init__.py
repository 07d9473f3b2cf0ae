"""Customers: who we sell to, where we ship, on what credit and terms."""
