"""SMS through Twilio's Messages API.

``POST https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json`` with the form
fields ``To``, ``From`` and ``Body``, HTTP basic auth (account SID, auth token); Twilio answers
201 with the Message resource (``sid``, ``status`` such as ``queued``), or an error document
(``code``, ``message``, ``more_info``, ``status``).
https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from app.adapters.notifiers.base import NotifierError, OutboundMessage

EXCERPT = 500


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    sender: str  # the From number (E.164) or an alphanumeric sender id
    base_url: str = "https://api.twilio.com"


class TwilioSmsNotifier:
    channel = "sms"

    def __init__(self, http: httpx.AsyncClient, config: TwilioConfig) -> None:
        self.http = http
        self.config = config

    async def send(self, message: OutboundMessage) -> str:
        c = self.config
        url = f"{c.base_url.rstrip('/')}/2010-04-01/Accounts/{c.account_sid}/Messages.json"
        form = {"To": message.recipient, "From": c.sender, "Body": message.body}
        try:
            response = await self.http.post(
                url, data=form, auth=httpx.BasicAuth(c.account_sid, c.auth_token)
            )
        except httpx.HTTPError as exc:
            raise NotifierError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise NotifierError(f"{response.status_code} {response.text[:EXCERPT]}")
        try:
            answer = response.json()
            return f"{response.status_code} sid={answer['sid']} status={answer['status']}"
        except (ValueError, KeyError, TypeError) as exc:
            raise NotifierError(
                f"{response.status_code} unreadable answer: {response.text[:EXCERPT]}"
            ) from exc
