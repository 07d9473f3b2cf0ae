"""Outbound webhook endpoints: managed by administrators, fed by the worker."""
