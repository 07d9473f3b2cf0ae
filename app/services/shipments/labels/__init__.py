"""Labels for a shipment. No carrier is called inside a database transaction: each use case
reads what it needs in one short transaction, talks to the carriers with none open, and
records the outcome in another.

A rate of the last quote (named, or the best by preference) is bought with an idempotency key
kept on the shipment, so every retry of that purchase — a second request, or the worker after
a timeout — asks for the same label and never buys two. While the carrier is down the
shipment waits in ``label_pending`` with the reason; the worker retries with backoff. A
carrier that refuses leaves the label ``failed`` with its reason."""
