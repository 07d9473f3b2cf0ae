"""The commands that bring carriers' tracking events in. ``client`` is the application's
pooled HTTP client the carriers are called through (not part of what is asked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

POLL_BATCH = 50


@dataclass(frozen=True, kw_only=True)
class ReceiveTrackingWebhook:
    """A delivery of a carrier's webhook as it came: its headers and raw body (the signature
    is over the bytes), received at ``received_at``."""

    carrier_code: str
    headers: Mapping[str, str] = field(repr=False)
    raw_body: bytes = field(repr=False)
    received_at: datetime
    client: httpx.AsyncClient = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class PollTracking:
    """One batch of the worker's poll: shipped, not yet final shipments of carriers that send
    no webhooks, last tracked more than ``interval`` before ``now``."""

    now: datetime
    interval: timedelta
    batch: int = POLL_BATCH
    client: httpx.AsyncClient = field(compare=False, repr=False)
