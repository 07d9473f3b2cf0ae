"""Returns (RMA): requesting one, approving or refusing it, reading it."""
