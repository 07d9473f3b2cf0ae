"""Rates for a shipment: what carriers are told about it, and the quote asked of them."""
