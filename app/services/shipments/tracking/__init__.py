"""Tracking (物流跟踪): carriers' signed webhooks, kept once each in an inbox; polling of
carriers that send none; a shipment's timeline; the public tracking page.

Every way in ends in ``apply.apply_events``: new events join the timeline, the tracking status
follows the latest event by event time (``app.domain.tracking``) and never moves backwards,
events that need someone raise ``shipment.alert``, and a ``delivered`` event delivers a shipped
shipment. Carriers are only ever called (and webhooks verified) outside a transaction."""
