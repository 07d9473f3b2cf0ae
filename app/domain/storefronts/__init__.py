"""Storefront connectors (线上订单): webhook signatures, and what a shop's order payload says
as Lading values. Pure: the payload is a parsed JSON dict, the answer frozen dataclasses."""
