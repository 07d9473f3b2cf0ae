"""Warehouses and the bin location of each product in them."""
