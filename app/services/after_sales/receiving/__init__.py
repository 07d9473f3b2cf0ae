"""Receiving returned goods at a warehouse, with inspection per line, and the quarantine."""
