"""What every channel adapter is: send one rendered message, answer what the provider said."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutboundMessage:
    recipient: str  # an email address (staff: several, comma-separated) or a phone number
    subject: str | None
    body: str


class NotifierError(Exception):
    """The provider refused the message or could not be reached; ``answer`` is what it said
    (status and text), kept in the notification's log."""

    def __init__(self, answer: str) -> None:
        super().__init__(answer)
        self.answer = answer


class Notifier(Protocol):
    channel: str

    async def send(self, message: OutboundMessage) -> str:
        """Send the message; returns the provider's answer, raises ``NotifierError``."""
        ...
