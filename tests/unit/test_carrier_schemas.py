"""Carrier master data maps (coverage, rates, transit days, zone rules) are named, typed
schemas a generated client can build — ``additionalProperties`` with the value type, the key
rule in ``propertyNames`` — and the JSON on the wire is unchanged."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from app.main import create_app
from app.schemas.carriers import CarrierCreate, CarrierUpdate

MAPS = {
    "coverage": "Coverage",
    "rates": "ZoneRates",
    "transit_days": "TransitDaysByZone",
    "zone_rules": "ZoneRules",
}
BODY = {
    "code": "SF",
    "name": "顺丰",
    "adapter_kind": "table_rate",
    "coverage": {"CN": ["上海市", "浙江省"], "HK": []},
    "max_package_weight_kg": "30",
    "currency": "CNY",
    "transit_days": {"local": 1, "near": 2},
    "rates": {"local": {"base": "10", "per_kg": "1.5"}, "near": {"base": "15", "per_kg": "2"}},
    "cutoff_time": "16:00",
    "zone_rules": {"CN/上海市": "local", "CN": "near", "default": "near"},
}


@pytest.fixture(scope="module")
def schemas() -> dict:
    return dict(create_app().openapi()["components"]["schemas"])


def test_the_maps_are_named_schemas_with_typed_values(schemas) -> None:
    assert "patternProperties" not in json.dumps(schemas)
    value_types = {
        "Coverage": {"type": "array"},
        "ZoneRates": {"$ref": "#/components/schemas/ZoneRateIn"},
        "TransitDaysByZone": {"type": "integer"},
        "ZoneRules": {"type": "string"},
    }
    for name, expected in value_types.items():
        schema = schemas[name]
        assert schema["type"] == "object" and schema["description"]
        assert expected.items() <= schema["additionalProperties"].items(), name
        assert schema["propertyNames"]["pattern"]
    for model in ("CarrierCreate", "CarrierUpdate"):
        properties = schemas[model]["properties"]
        for field, name in MAPS.items():
            assert properties[field] == {"$ref": f"#/components/schemas/{name}"}, (model, field)
    read = schemas["CarrierRead"]["properties"]
    assert read["coverage"] == {"$ref": "#/components/schemas/Coverage"}
    assert read["rates"]["additionalProperties"] == {"$ref": "#/components/schemas/ZoneRateOut"}


def test_the_wire_format_is_unchanged() -> None:
    dumped = CarrierCreate.model_validate(BODY).model_dump(mode="json", exclude_unset=True)
    assert {k: dumped[k] for k in MAPS} == {
        "coverage": BODY["coverage"],
        "rates": {
            "local": {"base": "10", "per_kg": "1.5"},
            "near": {"base": "15", "per_kg": "2"},
        },
        "transit_days": BODY["transit_days"],
        "zone_rules": BODY["zone_rules"],
    }
    patch = CarrierUpdate.model_validate({"coverage": {"CN": []}})
    assert patch.model_dump(mode="json", exclude_unset=True) == {"coverage": {"CN": []}}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("coverage", {"cn": []}),
        ("coverage", {}),
        ("transit_days", {"a/b": 1}),
        ("transit_days", {"local": -1}),
        ("rates", {"x" * 33: {"base": "1", "per_kg": "0"}}),
        ("zone_rules", {"China": "near"}),
    ],
)
def test_keys_and_values_are_still_checked(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        CarrierCreate.model_validate({**BODY, field: value})
    assert {e["loc"][0] for e in refused.value.errors()} == {field}
