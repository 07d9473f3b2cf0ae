"""Make-to-order: production requests (MO), planned, released to the production system,
reported back, and their delays."""
