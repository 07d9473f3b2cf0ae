"""SMS through Twilio's Messages API, over httpx.MockTransport.

The request and answers follow Twilio's documentation of the Message resource
(https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded ``To``, ``From``,
``Body``, HTTP basic auth with the account SID and auth token; 201 with the Message resource
(``sid`` "SM…", ``status`` "queued"). Errors are Twilio's error document
(https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions):
``code``, ``message``, ``more_info``, ``status``."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
from pydantic import SecretStr

from app.adapters.notifiers.registry import notifiers_for
from app.worker.notify.sending import send_due
from tests.integration.notifications.data import (
    approved_order,
    by_channel,
    customer,
    event,
    notifications_of,
    route,
)

SID = "AC" + "0" * 32
TOKEN = "twilio-auth-token-for-tests"
CREATED = {
    "account_sid": SID,
    "api_version": "2010-04-01",
    "body": "",
    "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
    "date_sent": None,
    "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
    "direction": "outbound-api",
    "error_code": None,
    "error_message": None,
    "from": "+15557122661",
    "num_media": "0",
    "num_segments": "1",
    "price": None,
    "price_unit": None,
    "messaging_service_sid": None,
    "sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "status": "queued",
    "to": "+8613800138000",
    "uri": f"/2010-04-01/Accounts/{SID}/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json",
}
INVALID_TO = {
    "code": 21211,
    "message": "The 'To' number +8613800138000 is not a valid phone number.",
    "more_info": "https://www.twilio.com/docs/errors/21211",
    "status": 400,
}


def twilio_settings(settings):
    return settings.model_copy(
        update={
            "twilio_account_sid": SID,
            "twilio_auth_token": SecretStr(TOKEN),
            "twilio_from": "+15557122661",
            "company_name": "华东贸易",
        }
    )


async def _order_with_sms(sessionmaker, settings):
    who = await customer(sessionmaker, email_opt_out=True)
    order = await approved_order(sessionmaker, who)
    await route(sessionmaker, settings, event("order.approved", "order", order.id))
    return order


async def test_the_documented_request_and_answer(sessionmaker, settings) -> None:
    settings = twilio_settings(settings)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=CREATED)

    order = await _order_with_sms(sessionmaker, settings)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        await send_due(sessionmaker, notifiers_for(settings, http), settings)
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    expected = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    assert set(form) == {"To", "From", "Body"}
    assert (form["To"], form["From"]) == ("+8613800138000", "+15557122661")
    assert form["Body"].startswith("【华东贸易】订单") and order.order.number in form["Body"]
    sms = by_channel(await notifications_of(sessionmaker, order.id))["sms"]
    assert sms.status == "sent"
    assert sms.provider_answer == "201 sid=SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa status=queued"


async def test_an_error_answer_is_logged_and_retried(sessionmaker, settings) -> None:
    settings = twilio_settings(settings)
    answers = [httpx.Response(400, json=INVALID_TO), httpx.Response(201, json=CREATED)]

    def answer(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    order = await _order_with_sms(sessionmaker, settings)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        notifiers = notifiers_for(settings, http)
        await send_due(sessionmaker, notifiers, settings)
        sms = by_channel(await notifications_of(sessionmaker, order.id))["sms"]
        assert (sms.status, sms.attempts) == ("pending", 1)
        assert sms.provider_answer.startswith("400 ")
        assert json.loads(sms.provider_answer[4:])["code"] == 21211
        await send_due(sessionmaker, notifiers, settings, now=datetime.now(UTC) + timedelta(days=1))
    sms = by_channel(await notifications_of(sessionmaker, order.id))["sms"]
    assert (sms.status, sms.attempts) == ("sent", 2)


async def test_an_unreachable_provider_and_an_unreadable_answer_fail_the_attempt(
    sessionmaker, settings
) -> None:
    settings = twilio_settings(settings)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    order = await _order_with_sms(sessionmaker, settings)
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        await send_due(sessionmaker, notifiers_for(settings, http), settings)
    sms = by_channel(await notifications_of(sessionmaker, order.id))["sms"]
    assert sms.status == "pending" and sms.provider_answer.startswith("ConnectError")

    def garbled(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, text="<html>oops</html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(garbled)) as http:
        await send_due(
            sessionmaker,
            notifiers_for(settings, http),
            settings,
            now=datetime.now(UTC) + timedelta(days=1),
        )
    sms = by_channel(await notifications_of(sessionmaker, order.id))["sms"]
    assert sms.status == "pending" and "unreadable answer" in sms.provider_answer
