"""Email over SMTP (aiosmtplib): one UTF-8 ``EmailMessage`` per notification."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from app.adapters.notifiers.base import NotifierError, OutboundMessage


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # none, starttls or tls
    username: str | None
    password: str | None
    sender: str
    timeout_seconds: float


def build_message(sender: str, message: OutboundMessage) -> EmailMessage:
    """A plain-text message; non-ASCII subjects and bodies are encoded as the email policy
    wants (RFC 2047 words, UTF-8 body)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject or ""
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message.body, charset="utf-8")
    return email


class SmtpNotifier:
    channel = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, message: OutboundMessage) -> str:
        c = self.config
        email = build_message(c.sender, message)
        try:
            _, answer = await aiosmtplib.send(
                email,
                hostname=c.host,
                port=c.port,
                username=c.username,
                password=c.password,
                use_tls=c.security == "tls",
                start_tls=c.security == "starttls",
                timeout=c.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = "; ".join(f"{r.code} {r.message} ({r.recipient})" for r in exc.recipients)
            raise NotifierError(refused) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise NotifierError(f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise NotifierError(f"{type(exc).__name__}: {exc}") from exc
        return answer
