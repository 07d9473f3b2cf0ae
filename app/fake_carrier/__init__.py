"""A fake carrier for tests and local runs: one loopback HTTP server speaking both EasyPost's
v2 shapes (``/v2/shipments``, ``/v2/trackers``) and Lading's generic JSON carrier protocol
(``/quotes``, ``/labels``, ``/tracking``; see ``app.adapters.carriers.generic_json``).

Labels are remembered per ``Idempotency-Key``: a retry answers the label already sold and
``FakeCarrier.purchases`` counts each sale once. Switches make it misbehave: ``latency_ms``
before every answer, and with the given probabilities a 503 (``fail_rate``), a stall longer
than any client timeout (``timeout_rate``) or a truncated JSON body (``malformed_rate``).
:func:`create_app` builds the ASGI app in-process; ``lading fake-carrier`` serves it on
127.0.0.1 with uvicorn. :func:`easypost_webhook` and :func:`generic_webhook` build signed
webhook deliveries for a label's events, :func:`easypost_event` a signed Event of any other
type; :meth:`FakeCarrier.insure` gives a label the second tracker EasyPost makes when one is
insured. Like EasyPost, a shipment with incomplete addresses is created with no rates.
``POST /_fake/scan`` moves a label along and, when a webhook URL is configured for the label's
protocol (``webhook_url`` for generic JSON labels, ``easypost_webhook_url`` for EasyPost ones),
also sends the webhook there, best-effort, over the app's shared HTTP client."""
