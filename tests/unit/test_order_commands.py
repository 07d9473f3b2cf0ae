"""Orders enter the use cases as commands: the request schemas make them, and the
idempotency hash over a command gives the verdicts the hash over the request body gave
(the same body, however spelled, is the same request; any other body is a different one)."""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal
from itertools import combinations
from typing import Any

import pytest

from app.domain.auth import Principal
from app.domain.errors import RuleViolation
from app.domain.orders import Channel, RequestedLine
from app.schemas.orders import OrderCreate, OrderUpdate, read_order
from app.services.orders.place import request_hash

CLERK = Principal("u", "clerk", "user", ("sales",), frozenset({"orders:write"}))
SHOP = Principal("k", "shop", "api_key", (), frozenset({"orders:write"}), channel="storefront")

BASE: dict[str, Any] = {
    "channel": "storefront",
    "external_ref": "W-1",
    "customer": {"code": "ACME"},
    "lines": [{"sku": "W-1", "quantity": "2"}],
}
ADDRESS = {"country": "CN", "city": "杭州", "street": "文三路 1 号", "latitude": "30.27"}

# Spellings of one request: defaults given or left out, keys in another order, coordinates
# with trailing zeros.
SAME = [
    BASE,
    {**BASE, "discount_percent": "0", "priority": 0, "submit": False, "payment": None},
    dict(reversed(list(BASE.items()))),
]
SAME_WITH_ADDRESS = [
    {**BASE, "ship_to": ADDRESS},
    {**BASE, "ship_to": {**ADDRESS, "latitude": "30.2700", "region": None}},
]
# Requests that differ from BASE, each in one thing.
DIFFERENT = [
    {**BASE, "lines": [{"sku": "W-1", "quantity": "3"}]},
    {**BASE, "lines": [{"sku": "W-1", "quantity": "2.0"}]},
    {**BASE, "lines": [{"sku": "W-1", "quantity": "2", "unit_price": "9.50"}]},
    {**BASE, "lines": [{"sku": "W-1", "quantity": "2"}, {"sku": "G-1", "quantity": "1"}]},
    {**BASE, "submit": True},
    {**BASE, "external_ref": "W-2"},
    {**BASE, "customer": {"id": "6f1c0e5e-0000-4000-8000-000000000001"}},
    {**BASE, "notes": "call first"},
    {**BASE, "payment": {"status": "paid", "amount": "10.00"}},
    {**BASE, "payment": {"status": "paid", "amount": "10.00", "reference": "P-1"}},
    {**BASE, "ship_to_id": "home"},
    {**BASE, "requested_delivery_date": "2031-01-02"},
    {**BASE, "channel": "manual"},
    {**BASE, "ship_to": ADDRESS},
]


def _body_hash(doc: dict[str, Any]) -> str:
    """The hash over the request body (the rule before commands)."""
    dumped = OrderCreate.model_validate(doc).model_dump(mode="json")
    return hashlib.sha256(
        json.dumps(dumped, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def _command_hash(doc: dict[str, Any], principal: Principal = CLERK, key: str | None = None) -> str:
    return request_hash(OrderCreate.model_validate(doc).to_command(principal, key))


def test_one_request_however_spelled_has_one_hash() -> None:
    assert len({_command_hash(doc) for doc in SAME}) == 1
    assert len({_command_hash(doc) for doc in SAME_WITH_ADDRESS}) == 1


def test_who_asks_and_the_key_are_not_part_of_the_request() -> None:
    assert _command_hash(BASE, CLERK, "k-1") == _command_hash(BASE, SHOP, "k-2")


def test_any_other_request_has_another_hash() -> None:
    hashes = [_command_hash(doc) for doc in [BASE, *DIFFERENT]]
    assert len(set(hashes)) == len(hashes)


def test_the_verdicts_are_those_of_the_hash_over_the_body() -> None:
    docs = SAME + SAME_WITH_ADDRESS + DIFFERENT
    for a, b in combinations(docs, 2):
        assert (_body_hash(a) == _body_hash(b)) == (_command_hash(a) == _command_hash(b)), (a, b)


def test_the_schema_makes_the_command_from_the_body() -> None:
    doc = {**BASE, "ship_to": ADDRESS, "payment": {"status": "paid", "amount": "10.00"}}
    cmd = OrderCreate.model_validate(doc).to_command(SHOP, "k-1")
    assert cmd.principal is SHOP and cmd.idempotency_key == "k-1"
    assert cmd.channel is Channel.STOREFRONT and cmd.customer.code == "ACME"
    assert cmd.lines == (RequestedLine("W-1", Decimal("2")),)
    assert cmd.ship_to == {
        "country": "CN",
        "city": "杭州",
        "street": "文三路 1 号",
        "latitude": Decimal("30.27"),
        "delivery_windows": [],
    }
    assert cmd.payment is not None and cmd.payment.amount == Decimal("10.00")


def test_an_edit_names_the_fields_it_sets() -> None:
    body = OrderUpdate.model_validate({"notes": None, "lines": [{"sku": "W-1", "quantity": "1"}]})
    cmd = body.to_command(uuid.uuid4(), 3, CLERK)
    assert cmd.given == {"notes", "lines"} and cmd.expected_version == 3
    assert cmd.lines == (RequestedLine("W-1", Decimal("1")),) and cmd.ship_to is None


def test_an_imported_document_is_read_as_a_posted_body() -> None:
    assert read_order(BASE, CLERK) == OrderCreate.model_validate(BASE).to_command(CLERK, None)
    with pytest.raises(RuleViolation) as refused:
        read_order({**BASE, "lines": [{"sku": "W-1", "quantity": "0"}]}, CLERK)
    assert [(i.field, i.rule) for i in refused.value.issues] == [
        ("lines.0.quantity", "greater_than")
    ]
