"""Storefront connectors: connections, shop webhooks in, calls back to the shops out."""
