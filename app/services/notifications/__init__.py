"""Notifications as use cases see them: the templates admins edit and how they render, the
rows made from a context (``making``), the log. The worker routes and sends them
(``app.worker.notify``)."""
