"""Notification channels: email over SMTP, SMS through Twilio, and a log channel for the demo
(``registry.notifiers_for`` picks them from the settings)."""
