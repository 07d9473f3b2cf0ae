"""The channel adapters the settings configure; a channel without a provider logs."""

from __future__ import annotations

import httpx

from app.adapters.notifiers.base import Notifier
from app.adapters.notifiers.log import LogNotifier
from app.adapters.notifiers.smtp import SmtpConfig, SmtpNotifier
from app.adapters.notifiers.twilio import TwilioConfig, TwilioSmsNotifier
from app.settings import Settings


def notifiers_for(settings: Settings, http: httpx.AsyncClient) -> dict[str, Notifier]:
    """``email`` and ``sms`` adapters; ``http`` carries the SMS provider's calls."""
    email: Notifier = LogNotifier("email")
    if settings.smtp_host:
        email = SmtpNotifier(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                security=settings.smtp_security,
                username=settings.smtp_user,
                password=(
                    settings.smtp_password.get_secret_value() if settings.smtp_password else None
                ),
                sender=settings.notification_email_from,
                timeout_seconds=settings.smtp_timeout_seconds,
            )
        )
    sms: Notifier = LogNotifier("sms")
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from:
        sms = TwilioSmsNotifier(
            http,
            TwilioConfig(
                account_sid=settings.twilio_account_sid,
                auth_token=settings.twilio_auth_token.get_secret_value(),
                sender=settings.twilio_from,
                base_url=settings.twilio_base_url,
            ),
        )
    return {"email": email, "sms": sms}
