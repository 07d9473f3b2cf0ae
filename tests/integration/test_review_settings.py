"""Review settings: defaults until an admin changes them; changes are validated by the review
policy, need If-Match (the defaults are version 0), and are audited."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from app.domain.review import RULES, ReviewPolicy
from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.settings import SettingRecord
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.order_review.policy import load_review_policy
from tests.support import assert_problem

URL = "/api/v1/settings/review"


async def _audits(sessionmaker) -> list[AuditEvent]:
    async with sessionmaker() as session:
        return list(
            (
                await session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.entity_type == "settings", AuditEvent.entity_id == "review")
                    .order_by(AuditEvent.at)
                )
            ).all()
        )


async def _stored(sessionmaker) -> SettingRecord | None:
    async with sessionmaker() as session:
        return await session.get(SettingRecord, "review")


async def test_defaults_are_answered_at_version_0_before_anything_is_stored(
    client: httpx.AsyncClient, auth, sessionmaker
) -> None:
    response = await client.get(URL, headers=await auth.as_role("viewer"))
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"0"'
    body = response.json()
    assert body["version"] == 0
    assert body["enabled_rules"] == list(RULES)
    assert body["amount_threshold_1"] == "50000.00"
    assert body["amount_threshold_2"] == "200000.00"
    assert body["max_discount_percent"] == "20"
    assert body["amount_approver_2"] == "finance"
    assert body["overdue_days"] == 30
    assert body["release_roles"]["incomplete"] == ["sales", "sales_manager"]
    assert await _stored(sessionmaker) is None


async def test_any_scope_holder_with_orders_read_may_read(client, auth) -> None:
    response = await client.get(URL, headers=await auth.with_scopes("orders:read"))
    assert response.status_code == 200, response.text
    denied = await client.get(URL, headers=await auth.with_scopes("stock:read"))
    assert_problem(denied, 403, code="permission_denied")


async def test_admin_changes_thresholds_visible_audited_and_etag_bumped(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("admin")
    first = await client.put(
        URL,
        json={"amount_threshold_1": "80000", "amount_threshold_2": "300000.50"},
        headers={**headers, "If-Match": '"0"'},
    )
    assert first.status_code == 200, first.text
    assert first.headers["etag"] == '"1"'
    assert first.json()["amount_threshold_1"] == "80000.00"
    assert first.json()["amount_threshold_2"] == "300000.50"
    assert first.json()["version"] == 1

    second = await client.put(
        URL,
        json={"overdue_days": 45, "price_approver": "finance", "enabled_rules": ["credit"]},
        headers={**headers, "If-Match": '"1"'},
    )
    assert second.status_code == 200, second.text
    assert second.headers["etag"] == '"2"'

    fetched = await client.get(URL, headers=await auth.as_role("sales"))
    assert fetched.headers["etag"] == '"2"'
    body = fetched.json()
    assert body["amount_threshold_1"] == "80000.00"
    assert body["overdue_days"] == 45
    assert body["price_approver"] == "finance"
    assert body["enabled_rules"] == ["credit"]
    assert body["max_discount_percent"] == "20"  # untouched

    audits = await _audits(sessionmaker)
    assert [a.action for a in audits] == ["updated", "updated"]
    assert audits[0].before["amount_threshold_1"] == "50000"
    assert audits[0].after["amount_threshold_1"] == "80000"
    assert audits[1].before["overdue_days"] == 30 and audits[1].after["overdue_days"] == 45
    assert audits[0].actor.startswith("user:admin")
    async with sessionmaker() as session:
        outbox = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == "review"))
        ).all()
    assert [e.event_type for e in outbox] == ["settings.review_updated"] * 2
    record = await _stored(sessionmaker)
    assert record is not None and record.version == 2 and record.updated_by.startswith("user:")


async def test_a_change_that_alters_nothing_keeps_the_version(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    response = await client.put(
        URL, json={"overdue_days": 30}, headers={**headers, "If-Match": '"0"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"0"'
    assert await _stored(sessionmaker) is None
    assert await _audits(sessionmaker) == []


async def test_release_roles_replace_the_whole_map(client, auth) -> None:
    headers = await auth.as_role("admin")
    response = await client.put(
        URL,
        json={"release_roles": {"manual": ["finance"], "awaiting_payment": []}},
        headers={**headers, "If-Match": '"0"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["release_roles"] == {"manual": ["finance"], "awaiting_payment": []}


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount_threshold_1": "-1"}, "amount_threshold_1", "not_negative"),
        ({"overdue_days": -5}, "overdue_days", "not_negative"),
        ({"amount_threshold_2": "1000"}, "amount_threshold_2", "not_below_threshold_1"),
        ({"amount_approver_1": "ceo"}, "amount_approver_1", "enum"),
        ({"release_roles": {"manual": ["ceo"]}}, "release_roles.manual", "enum"),
        ({"release_roles": {"lost_in_space": ["finance"]}}, "release_roles.lost_in_space", "enum"),
        ({"enabled_rules": ["credit", "astrology"]}, "enabled_rules.1", "enum"),
        ({"max_discount_percent": "150"}, "max_discount_percent", "at_most_100"),
    ],
)
async def test_invalid_settings_are_422_naming_the_field_and_write_nothing(
    client, auth, sessionmaker, change, field, rule
) -> None:
    headers = await auth.as_role("admin")
    response = await client.put(URL, json=change, headers={**headers, "If-Match": '"0"'})
    body = assert_problem(response, 422, code="rule_violation", field=field)
    assert (field, rule) in {(e["field"], e["rule"]) for e in body["errors"]}
    assert await _stored(sessionmaker) is None
    assert await _audits(sessionmaker) == []
    assert (await client.get(URL, headers=headers)).headers["etag"] == '"0"'


async def test_invalid_change_to_stored_settings_keeps_them(client, auth) -> None:
    headers = await auth.as_role("admin")
    await client.put(URL, json={"overdue_days": 60}, headers={**headers, "If-Match": '"0"'})
    bad = await client.put(
        URL,
        json={"overdue_days": 10, "amount_threshold_2": "1"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(bad, 422, field="amount_threshold_2")
    fetched = await client.get(URL, headers=headers)
    assert fetched.headers["etag"] == '"1"' and fetched.json()["overdue_days"] == 60


async def test_type_errors_and_unknown_fields_are_422(client, auth) -> None:
    headers = {**await auth.as_role("admin"), "If-Match": '"0"'}
    body = assert_problem(
        await client.put(URL, json={"overdue_days": "soon", "colour": "red"}, headers=headers),
        422,
        code="validation_error",
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"body.overdue_days", "body.colour"} <= fields


async def test_null_for_a_field_is_422(client, auth, sessionmaker) -> None:
    headers = {**await auth.as_role("admin"), "If-Match": '"0"'}
    response = await client.put(URL, json={"amount_threshold_1": None}, headers=headers)
    body = assert_problem(response, 422, field="body.amount_threshold_1")
    assert body["errors"][0]["rule"] == "not_nullable"
    assert await _stored(sessionmaker) is None


async def test_stale_if_match_is_412_and_changes_nothing(client, auth) -> None:
    headers = await auth.as_role("admin")
    await client.put(URL, json={"overdue_days": 40}, headers={**headers, "If-Match": '"0"'})
    stale = await client.put(URL, json={"overdue_days": 50}, headers={**headers, "If-Match": '"0"'})
    assert_problem(stale, 412, code="stale_version")
    assert (await client.get(URL, headers=headers)).json()["overdue_days"] == 40


async def test_if_match_other_than_0_before_anything_is_stored_is_412(
    client, auth, sessionmaker
) -> None:
    response = await client.put(
        URL, json={"overdue_days": 50}, headers={**await auth.as_role("admin"), "If-Match": '"1"'}
    )
    assert_problem(response, 412, code="stale_version")
    assert await _stored(sessionmaker) is None


async def test_missing_if_match_is_428(client, auth) -> None:
    response = await client.put(URL, json={"overdue_days": 50}, headers=await auth.as_role("admin"))
    assert_problem(response, 428, code="precondition_required")


async def test_sales_manager_may_not_change_settings(client, auth, sessionmaker) -> None:
    response = await client.put(
        URL,
        json={"amount_threshold_1": "1"},
        headers={**await auth.as_role("sales_manager"), "If-Match": '"0"'},
    )
    assert_problem(response, 403, code="permission_denied")
    assert await _stored(sessionmaker) is None


async def test_no_credentials_is_401(client) -> None:
    assert_problem(await client.get(URL), 401)
    assert_problem(
        await client.put(URL, json={"overdue_days": 1}, headers={"If-Match": '"0"'}), 401
    )


async def test_load_review_policy_returns_defaults_then_the_stored_policy(
    client, auth, sessionmaker
) -> None:
    async with SqlAlchemyUnitOfWork(sessionmaker) as uow:
        assert await load_review_policy(uow) == ReviewPolicy()
    await client.put(
        URL,
        json={
            "max_discount_percent": "12.5",
            "amount_threshold_1": "1000",
            "amount_approver_2": "admin",
            "min_lead_time_days": 2,
            "release_roles": {"manual": ["finance", "sales_manager"]},
        },
        headers={**await auth.as_role("admin"), "If-Match": '"0"'},
    )
    async with SqlAlchemyUnitOfWork(sessionmaker) as uow:
        policy = await load_review_policy(uow)
    assert policy == ReviewPolicy(
        max_discount_percent=Decimal("12.5"),
        amount_threshold_1=Decimal("1000"),
        amount_approver_2="admin",
        min_lead_time_days=2,
        release_roles={"manual": ("finance", "sales_manager")},
    )


async def test_losing_a_race_for_the_first_write_is_412(
    client, auth, sessionmaker, monkeypatch
) -> None:
    """Two admins both start from the defaults (version 0); the second insert loses the key."""
    from app.repositories.settings import SettingsRepository

    headers = {**await auth.as_role("admin"), "If-Match": '"0"'}
    assert (await client.put(URL, json={"overdue_days": 41}, headers=headers)).status_code == 200

    async def read_before_the_other_commit(self, key):
        return None

    monkeypatch.setattr(SettingsRepository, "get", read_before_the_other_commit)
    lost = await client.put(URL, json={"overdue_days": 42}, headers=headers)
    assert_problem(lost, 412, code="stale_version")
    monkeypatch.undo()
    record = await _stored(sessionmaker)
    assert record is not None and record.version == 1 and record.value["overdue_days"] == 41
    assert len(await _audits(sessionmaker)) == 1
