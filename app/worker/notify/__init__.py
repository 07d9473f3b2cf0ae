"""The worker's side of notifications: the route that makes them from routed events, the job
that sends them, and the overdue reminders."""
