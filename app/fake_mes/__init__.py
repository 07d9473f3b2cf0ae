"""A fake production system (MES) for tests and the demo, speaking Lading's JSON protocol
(``app.adapters.production.lading_json``).

It takes Lading's outbound webhook deliveries at ``POST /lading/events`` (Standard Webhooks
signed with the endpoint secret it was given; a wrong signature is 401) and keeps each
``production.released`` request; other event types are acknowledged and ignored. ``GET
/requests`` lists what it holds. ``POST /control/{number}/start``, ``/progress`` and
``/complete`` make it send a signed report to Lading's ``/api/v1/webhooks/production`` and
answer with Lading's status and body. :func:`~app.fake_mes.server.create_app` builds the ASGI
app; reports go out over the settings' HTTP client, or one its lifespan opens."""
