"""The review policy's stored JSON form round-trips exactly, without a database."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.domain.auth import Role
from app.domain.review import RULES, HoldCode, ReviewPolicy
from app.services.order_review.policy import _merge, policy_from_json, policy_to_json

ROLES = [r.value for r in Role]
HOLDS = [h.value for h in HoldCode]
amounts = st.decimals(min_value=0, max_value=Decimal("99999999999999.9999"), places=4)


def test_defaults_round_trip_and_the_json_form_is_plain_json() -> None:
    data = policy_to_json(ReviewPolicy())
    assert json.loads(json.dumps(data)) == data
    assert data["amount_threshold_1"] == "50000"
    assert data["max_discount_percent"] == "20"
    assert data["enabled_rules"] == list(RULES)
    assert data["release_roles"]["customer_blocked"] == ["finance"]
    assert all(type(k) is str for k in data["release_roles"])
    assert policy_from_json(data) == ReviewPolicy()


def test_decimal_scale_and_empty_collections_survive() -> None:
    policy = ReviewPolicy(
        enabled_rules=(),
        max_discount_percent=Decimal("12.50"),
        amount_threshold_1=Decimal("0.0001"),
        amount_threshold_2=Decimal("1E+6"),
        release_roles={},
    )
    back = policy_from_json(json.loads(json.dumps(policy_to_json(policy))))
    assert back == policy
    assert str(back.max_discount_percent) == "12.50"
    assert str(back.amount_threshold_2) == "1E+6"
    assert back.enabled_rules == () and back.release_roles == {}


def test_fields_missing_from_a_stored_document_take_their_defaults() -> None:
    data = policy_to_json(ReviewPolicy(overdue_days=45))
    del data["max_discount_percent"]
    data["retired_setting"] = 1
    policy = policy_from_json(data)
    assert policy.overdue_days == 45
    assert policy.max_discount_percent == ReviewPolicy().max_discount_percent


def test_merge_turns_api_lists_into_policy_tuples() -> None:
    merged = _merge(
        ReviewPolicy(),
        {"enabled_rules": ["credit"], "release_roles": {"manual": ["finance"]}},
    )
    assert merged.enabled_rules == ("credit",)
    assert merged.release_roles == {"manual": ("finance",)}
    assert merged.amount_threshold_1 == ReviewPolicy().amount_threshold_1


@given(
    rules=st.lists(st.sampled_from(RULES), unique=True).map(tuple),
    lead=st.integers(min_value=0, max_value=3650),
    discount=st.decimals(min_value=0, max_value=100, places=4),
    t1=amounts,
    t2=amounts,
    approvers=st.tuples(*[st.sampled_from(ROLES)] * 3),
    overdue=st.integers(min_value=0, max_value=3650),
    release=st.dictionaries(
        st.sampled_from(HOLDS), st.lists(st.sampled_from(ROLES), unique=True).map(tuple)
    ),
)
def test_any_policy_round_trips_through_json(
    rules, lead, discount, t1, t2, approvers, overdue, release
) -> None:
    policy = ReviewPolicy(
        enabled_rules=rules,
        min_lead_time_days=lead,
        max_discount_percent=discount,
        price_approver=approvers[0],
        amount_threshold_1=t1,
        amount_approver_1=approvers[1],
        amount_threshold_2=t2,
        amount_approver_2=approvers[2],
        overdue_days=overdue,
        release_roles=release,
    )
    text = json.dumps(policy_to_json(policy))
    back = policy_from_json(json.loads(text))
    assert back == policy
    assert policy_to_json(back) == policy_to_json(policy)
