"""Notifications: made from routed events (``routing``), sent by the worker (``sending``),
overdue reminders (``dunning``), templates admins edit (``templates``)."""
