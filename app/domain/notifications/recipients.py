"""Who a customer notification goes to, or why it is not sent."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.notifications.kinds import NotificationChannel


class SkipReason(StrEnum):
    OPTED_OUT = "opted_out"
    NO_ADDRESS = "no_address"


@dataclass(frozen=True)
class Recipient:
    """An address to send to, or the reason there is none."""

    address: str | None
    skipped: SkipReason | None = None


FIELDS = {NotificationChannel.EMAIL: "email", NotificationChannel.SMS: "phone"}


def customer_recipient(
    contacts: Sequence[Mapping[str, object]],
    channel: NotificationChannel,
    opted_out: Iterable[NotificationChannel],
) -> Recipient:
    """The customer's address for ``channel``: the first of its contacts, in the order they
    are listed, that has one (an email address for email, a phone number for SMS). A customer
    that opted out of the channel, or has no such contact, is skipped."""
    if channel in set(opted_out):
        return Recipient(None, SkipReason.OPTED_OUT)
    field = FIELDS[channel]
    for contact in contacts:
        value = contact.get(field)
        if isinstance(value, str) and value.strip():
            address = value.strip()
            return Recipient(
                phone_number(address) if channel is NotificationChannel.SMS else address
            )
    return Recipient(None, SkipReason.NO_ADDRESS)


def phone_number(text: str) -> str:
    """A phone number as SMS providers take it (E.164 style): the spaces, dashes, dots and
    brackets people write it with are dropped (``+86 21 5080-1234`` → ``+862150801234``)."""
    return re.sub(r"[\s\-().]", "", text)


def staff_recipient(addresses: Sequence[str]) -> Recipient:
    """Staff of a role get one email to all their addresses (``LADING_STAFF_EMAILS``)."""
    if not addresses:
        return Recipient(None, SkipReason.NO_ADDRESS)
    return Recipient(", ".join(addresses))
