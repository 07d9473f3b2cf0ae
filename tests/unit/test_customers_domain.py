"""The ship-to address book rule and tag normalisation, without a database."""

from __future__ import annotations

import itertools
import uuid

import pytest

from app.domain.customers import CustomerStatus, arrange_ship_tos, distinct_tags
from app.domain.errors import RuleViolation


def ids():
    counter = itertools.count(1)
    return lambda: f"new-{next(counter)}"


def ship_to(**fields):
    return {"country": "CN", "city": "上海市", "street": "浦东新区张江路 88 号", **fields}


def test_no_ship_tos_stays_empty() -> None:
    assert arrange_ship_tos([]) == []


def test_first_becomes_default_when_none_is() -> None:
    arranged = arrange_ship_tos([ship_to(), ship_to(city="北京市")], new_id=ids())
    assert [s["is_default"] for s in arranged] == [True, False]


def test_a_marked_default_is_kept_and_the_first_is_not_promoted() -> None:
    arranged = arrange_ship_tos(
        [ship_to(), ship_to(is_default=True), ship_to(is_default=False)], new_id=ids()
    )
    assert [s["is_default"] for s in arranged] == [False, True, False]


def test_missing_ids_are_assigned_and_given_ids_kept() -> None:
    given = str(uuid.uuid4())
    arranged = arrange_ship_tos([ship_to(id=None), ship_to(id=given), ship_to()], new_id=ids())
    assert [s["id"] for s in arranged] == ["new-1", given, "new-2"]


def test_default_ids_are_uuids() -> None:
    (arranged,) = arrange_ship_tos([ship_to()])
    assert str(uuid.UUID(arranged["id"])) == arranged["id"]


def test_the_address_and_label_are_kept_as_given() -> None:
    entry = ship_to(label="华东仓库收货点", district="浦东新区", postcode="201203")
    (arranged,) = arrange_ship_tos([entry], new_id=ids())
    assert arranged == {**entry, "id": "new-1", "is_default": True}


def test_the_input_is_not_modified() -> None:
    entry = ship_to()
    arrange_ship_tos([entry], new_id=ids())
    assert entry == ship_to()


def test_two_defaults_are_refused_naming_the_rule() -> None:
    with pytest.raises(RuleViolation) as raised:
        arrange_ship_tos(
            [ship_to(is_default=True), ship_to(), ship_to(is_default=True)], new_id=ids()
        )
    (issue,) = raised.value.issues
    assert (issue.field, issue.rule) == ("ship_to", "single_default")
    assert "0, 2" in issue.message


def test_repeated_ids_are_refused_on_the_repeating_entry() -> None:
    same = str(uuid.uuid4())
    with pytest.raises(RuleViolation) as raised:
        arrange_ship_tos([ship_to(id=same), ship_to(id=same)], new_id=ids())
    assert [(i.field, i.rule) for i in raised.value.issues] == [("ship_to.1.id", "unique")]


def test_every_broken_rule_is_reported_at_once() -> None:
    same = str(uuid.uuid4())
    with pytest.raises(RuleViolation) as raised:
        arrange_ship_tos(
            [ship_to(id=same, is_default=True), ship_to(id=same, is_default=True)], new_id=ids()
        )
    assert {i.rule for i in raised.value.issues} == {"unique", "single_default"}


def test_tags_drop_repeats_and_keep_first_order() -> None:
    assert distinct_tags(["vip", "华东", "vip", "export", "华东"]) == ["vip", "华东", "export"]


def test_statuses() -> None:
    assert [s.value for s in CustomerStatus] == ["active", "on_hold", "blocked"]
