"""Carriers: master data (create, read, list, update/deactivate), their terms and gateway
configuration as the other shipment use cases read them, and carrier selection."""
