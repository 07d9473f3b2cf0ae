"""A carrier's webhooks flag must match what its adapter accepts."""

from __future__ import annotations

from app.adapters.carriers.registry import accepts_webhooks
from app.domain.carrier_links import webhooks_issue


def test_webhooks_only_for_adapters_that_take_them() -> None:
    issue = webhooks_issue(True, "table_rate", accepts_webhooks("table_rate"))
    assert issue is not None
    assert (issue.field, issue.rule) == ("webhooks", "webhooks_unsupported")
    assert webhooks_issue(False, "table_rate", accepts_webhooks("table_rate")) is None
    for kind in ("generic_json", "easypost"):
        assert webhooks_issue(True, kind, accepts_webhooks(kind)) is None
        assert webhooks_issue(False, kind, accepts_webhooks(kind)) is None


def test_the_demo_carriers_flags_match_their_adapters() -> None:
    from app.demo_partners import DEMO_CARRIERS

    flags = {body["code"]: body.get("webhooks") for body in DEMO_CARRIERS}
    assert flags == {"FLEET": False, "REGIONAL": True, "EASYPOST": False}
    for body in DEMO_CARRIERS:
        kind = body["adapter_kind"]
        assert webhooks_issue(body["webhooks"], kind, accepts_webhooks(kind)) is None
