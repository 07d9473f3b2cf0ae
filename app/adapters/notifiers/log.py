"""The channel used when no provider is configured (the demo): the message goes to the log."""

from __future__ import annotations

import logging

from app.adapters.notifiers.base import OutboundMessage

log = logging.getLogger(__name__)


class LogNotifier:
    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def send(self, message: OutboundMessage) -> str:
        log.info(
            "notification.logged",
            extra={
                "channel": self.channel,
                "recipient": message.recipient,
                "subject": message.subject,
                "body": message.body,
            },
        )
        return "logged (no provider configured)"
