"""The admin API of outbound webhook endpoints: secrets shown once, URLs checked like carrier
endpoints, rotation with an overlap, re-enabling, the delivery log and replay."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.domain.errors import RuleViolation
from app.repositories.webhooks import WebhookEndpoint
from app.worker.webhooks import deliver_once
from tests.integration.webhook_support import (
    Recorder,
    deliveries_of,
    outbox_event,
    routed,
)
from tests.support import assert_problem

BASE = "/api/v1/webhook-endpoints"


async def public(host: str) -> list[str]:
    """There is no DNS in tests: every name is a public address, but internal.example."""
    return ["10.1.1.1"] if host == "internal.example" else ["93.184.216.34"]


@pytest.fixture
async def admin(app, auth) -> dict[str, str]:
    app.state.outbound_guard.resolve = public
    return await auth.as_role("admin")


async def _create(client, admin, **overrides) -> dict:
    body = {"url": "https://hooks.example/in", "event_types": ["order.*"], **overrides}
    response = await client.post(BASE, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_secret_is_answered_once_and_never_again(client, admin) -> None:
    created = await _create(client, admin, description="ERP 订单同步")
    assert created["secret"].startswith("whsec_") and created["active"] is True
    assert created["event_types"] == ["order.*"] and created["description"] == "ERP 订单同步"
    got = await client.get(f"{BASE}/{created['id']}", headers=admin)
    assert got.status_code == 200 and got.headers["etag"] == '"1"'
    listed = await client.get(BASE, headers=admin)
    assert [e["id"] for e in listed.json()["items"]] == [created["id"]]
    for document in (got.json(), listed.json()["items"][0]):
        assert "secret" not in document
        assert created["secret"] not in json.dumps(document)


@pytest.mark.parametrize("role", ["sales", "sales_manager", "finance", "warehouse", "viewer"])
async def test_only_administrators_manage_endpoints(client, auth, admin, role) -> None:
    created = await _create(client, admin)
    headers = await auth.as_role(role)
    assert_problem(await client.get(BASE, headers=headers), 403)
    assert_problem(await client.get(f"{BASE}/{created['id']}", headers=headers), 403)
    body = {"url": "https://x.example/in", "event_types": ["*"]}
    assert_problem(await client.post(BASE, json=body, headers=headers), 403)
    rotate = await client.post(f"{BASE}/{created['id']}/rotate-secret", json={}, headers=headers)
    assert_problem(rotate, 403)


async def test_api_keys_cannot_hold_the_webhook_scopes(auth) -> None:
    for scope in ("webhooks:read", "webhooks:write"):
        with pytest.raises(RuleViolation):
            await auth.with_scopes(scope)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://hooks.example/in", "event_types": ["Order Placed"]}, "event_types.0"),
        ({"url": "https://hooks.example/in", "event_types": ["*", "order.*.x"]}, "event_types.1"),
        ({"url": "https://hooks.example/in", "event_types": []}, "event_types"),
        ({"url": "https://hooks.example/in"}, "event_types"),
        ({"url": "ftp://hooks.example/in", "event_types": ["*"]}, "url"),
        ({"url": "http://hooks.example/in", "event_types": ["*"]}, "url"),
        ({"url": "https://internal.example/in", "event_types": ["*"]}, "url"),
        ({"url": "https://10.0.0.1/in", "event_types": ["*"]}, "url"),
        ({"url": "https://hooks.example/in", "event_types": ["*"], "secret": "x"}, "secret"),
    ],
)
async def test_bad_input_is_422_naming_the_field(client, admin, body, field) -> None:
    assert_problem(await client.post(BASE, json=body, headers=admin), 422, field=field)
    assert (await client.get(BASE, headers=admin)).json()["items"] == []


async def test_patch_needs_if_match_and_a_new_url_gets_a_new_secret(client, admin) -> None:
    created = await _create(client, admin)
    url = f"{BASE}/{created['id']}"
    assert_problem(await client.patch(url, json={"description": "x"}, headers=admin), 428)
    stale = await client.patch(url, json={"description": "x"}, headers={**admin, "If-Match": '"9"'})
    assert_problem(stale, 412)
    described = await client.patch(
        url,
        json={"description": "仓库", "event_types": ["*"]},
        headers={**admin, "If-Match": '"1"'},
    )
    assert described.status_code == 200, described.text
    assert described.json()["secret"] is None and described.json()["event_types"] == ["*"]
    assert described.headers["etag"] == '"2"'
    refused = await client.patch(
        url, json={"url": "https://internal.example/x"}, headers={**admin, "If-Match": '"2"'}
    )
    assert_problem(refused, 422, field="url")
    assert_problem(
        await client.patch(
            url, json={"event_types": ["nope!"]}, headers={**admin, "If-Match": '"2"'}
        ),
        422,
        field="event_types.0",
    )
    assert_problem(
        await client.patch(url, json={"url": None}, headers={**admin, "If-Match": '"2"'}),
        422,
        field="url",
    )
    moved = await client.patch(
        url, json={"url": "https://new.example/in"}, headers={**admin, "If-Match": '"2"'}
    )
    assert moved.status_code == 200, moved.text
    new_secret = moved.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    assert moved.json()["previous_secret_until"] is None  # the old secret stops at once
    off = await client.patch(url, json={"active": False}, headers={**admin, "If-Match": '"3"'})
    assert off.json()["active"] is False
    listed = await client.get(BASE, params={"active": "false"}, headers=admin)
    assert [e["id"] for e in listed.json()["items"]] == [created["id"]]


async def _stored(sessionmaker, endpoint_id: str) -> WebhookEndpoint:
    async with sessionmaker() as session:
        row = await session.get(WebhookEndpoint, uuid.UUID(endpoint_id))
        assert row is not None
        return row


async def test_a_rotation_signs_with_both_secrets_during_the_overlap(
    client, admin, sessionmaker, settings
) -> None:
    created = await _create(client, admin, event_types=["*"])
    old = created["secret"]
    rotated = await client.post(f"{BASE}/{created['id']}/rotate-secret", json={}, headers=admin)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")
    until = datetime.fromisoformat(rotated.json()["previous_secret_until"])
    overlap = timedelta(hours=settings.webhook_secret_overlap_hours)
    assert datetime.now(UTC) + overlap - timedelta(minutes=1) < until <= datetime.now(UTC) + overlap
    assert "secret" not in (await client.get(f"{BASE}/{created['id']}", headers=admin)).json()
    await routed(sessionmaker, settings, [outbox_event()])
    recorder = Recorder()
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 1
    request = recorder.requests[0]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(request.content, dict(request.headers))
    Webhook(old).verify(request.content, dict(request.headers))
    # once the window is over only the new secret signs
    async with sessionmaker() as session:
        row = await session.get(WebhookEndpoint, uuid.UUID(created["id"]))
        assert row is not None
        row.previous_secret_until = datetime.now(UTC) - timedelta(seconds=1)
        await session.commit()
    await routed(sessionmaker, settings, [outbox_event()])
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 1
    late = recorder.requests[1]
    assert len(late.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(late.content, dict(late.headers))
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(late.content, dict(late.headers))
    # a rotation without overlap drops the old secret at once
    now_only = await client.post(
        f"{BASE}/{created['id']}/rotate-secret", json={"overlap_hours": 0}, headers=admin
    )
    assert now_only.json()["previous_secret_until"] is None
    assert_problem(
        await client.post(
            f"{BASE}/{created['id']}/rotate-secret", json={"overlap_hours": -1}, headers=admin
        ),
        422,
        field="overlap_hours",
    )


async def test_a_disabled_endpoint_is_enabled_again_and_catches_up(
    client, admin, sessionmaker, settings
) -> None:
    created = await _create(client, admin, event_types=["*"])
    await routed(sessionmaker, settings, [outbox_event()])
    gone = Recorder(lambda request, index: httpx.Response(410))
    async with gone.client() as http:
        await deliver_once(sessionmaker, http, settings)
    disabled = (await client.get(f"{BASE}/{created['id']}", headers=admin)).json()
    assert disabled["active"] is False and "410" in disabled["disabled_reason"]
    enabled = await client.post(f"{BASE}/{created['id']}/enable", headers=admin)
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["active"] is True and enabled.json()["disabled_at"] is None
    back = Recorder()
    async with back.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 1  # due again at once
    assert back.requests[0].headers["webhook-id"] == gone.requests[0].headers["webhook-id"]


async def test_deliveries_and_attempts_are_listed(client, admin, sessionmaker, settings) -> None:
    created = await _create(client, admin, event_types=["*"])
    await routed(sessionmaker, settings, [outbox_event(), outbox_event()])
    answers = Recorder(lambda request, index: httpx.Response(502 if index == 0 else 200, text="ok"))
    async with answers.client() as http:
        await deliver_once(sessionmaker, http, settings)
    listed = await client.get(f"{BASE}/{created['id']}/deliveries", headers=admin)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert sorted(i["status"] for i in items) == ["delivered", "pending"]
    failed = next(i for i in items if i["status"] == "pending")
    assert failed["last_status"] == "502" and failed["webhook_id"].startswith("msg_")
    pending = await client.get(
        f"{BASE}/{created['id']}/deliveries", params={"status": "pending"}, headers=admin
    )
    assert [i["id"] for i in pending.json()["items"]] == [failed["id"]]
    assert_problem(
        await client.get(
            f"{BASE}/{created['id']}/deliveries", params={"status": "x"}, headers=admin
        ),
        422,
        field="status",
    )
    detail = await client.get(f"{BASE}/{created['id']}/deliveries/{failed['id']}", headers=admin)
    assert detail.status_code == 200, detail.text
    (attempt,) = detail.json()["attempts_log"]
    assert attempt["status_code"] == 502 and attempt["response_excerpt"] == "ok"
    missing = await client.get(f"{BASE}/{created['id']}/deliveries/{created['id']}", headers=admin)
    assert_problem(missing, 404)


async def test_replay_of_one_event_and_of_a_range_keeps_the_webhook_id(
    client, admin, sessionmaker, settings
) -> None:
    created = await _create(client, admin, event_types=["order.*"])
    first, _, _ = await routed(
        sessionmaker,
        settings,
        [outbox_event(), outbox_event(), outbox_event("product.created", aggregate_type="product")],
    )
    recorder = Recorder()
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 2
    ids = {json.loads(r.content)["id"]: r.headers["webhook-id"] for r in recorder.requests}
    one = await client.post(
        f"{BASE}/{created['id']}/replay", json={"event_id": str(first.id)}, headers=admin
    )
    assert one.status_code == 202 and one.json() == {"replayed": 1}
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 1
    again = recorder.requests[-1]
    assert json.loads(again.content)["id"] == str(first.id)
    assert again.headers["webhook-id"] == ids[str(first.id)]
    Webhook(created["secret"]).verify(again.content, dict(again.headers))
    window = {
        "from": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
    }
    ranged = await client.post(f"{BASE}/{created['id']}/replay", json=window, headers=admin)
    assert ranged.json() == {"replayed": 2}  # the product event is not in the filter
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 2
    replayed = {
        json.loads(r.content)["id"]: r.headers["webhook-id"] for r in recorder.requests[-2:]
    }
    assert replayed == ids
    rows = await deliveries_of(sessionmaker, (await _stored(sessionmaker, created["id"])).id)
    assert {r.status for r in rows} == {"delivered"} and len(rows) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "from"),
        ({"from": "2026-12-01T00:00:00Z"}, "from"),
        ({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, "to"),
        ({"from": "2026-12-01T00:00:00", "to": "2026-12-02T00:00:00Z"}, "from"),
        (
            {"event_id": "00000000-0000-4000-8000-000000000000", "from": "2026-12-01T00:00:00Z"},
            "event_id",
        ),
        ({"event_id": "nope"}, "event_id"),
        ({"from": "0001-01-01T00:00:00+14:00", "to": "2026-12-02T00:00:00Z"}, "from"),
        ({"from": "2026-12-01T00:00:00Z", "to": "9999-12-31T23:59:59-12:00"}, "to"),
    ],
)
async def test_bad_replays_are_422_naming_the_field(client, admin, body, field) -> None:
    created = await _create(client, admin)
    response = await client.post(f"{BASE}/{created['id']}/replay", json=body, headers=admin)
    assert_problem(response, 422, field=field)


async def test_replay_of_an_unknown_event_or_endpoint_is_404(client, admin) -> None:
    created = await _create(client, admin)
    body = {"event_id": "00000000-0000-4000-8000-000000000000"}
    assert_problem(
        await client.post(f"{BASE}/{created['id']}/replay", json=body, headers=admin), 404
    )
    unknown = f"{BASE}/00000000-0000-4000-8000-000000000000/replay"
    assert_problem(await client.post(unknown, json=body, headers=admin), 404)


async def test_active_true_on_a_disabled_endpoint_switches_it_on_afresh(
    client, admin, sessionmaker, settings
) -> None:
    created = await _create(client, admin, event_types=["*"])
    await routed(sessionmaker, settings, [outbox_event()])
    async with Recorder(lambda request, index: httpx.Response(410)).client() as http:
        await deliver_once(sessionmaker, http, settings)
    disabled = await client.get(f"{BASE}/{created['id']}", headers=admin)
    assert disabled.json()["disabled_at"] is not None
    etag = disabled.headers["etag"]
    on = await client.patch(
        f"{BASE}/{created['id']}", json={"active": True}, headers={**admin, "If-Match": etag}
    )
    assert on.status_code == 200, on.text
    assert on.json()["active"] is True and on.json()["disabled_at"] is None
    assert on.json()["failing_since"] is None
    back = Recorder()
    async with back.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 1  # due at once
