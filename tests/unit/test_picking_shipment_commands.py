"""The pick-list and shipment commands each reach their one handler through the bus table."""

from __future__ import annotations

import dataclasses

import pytest

from app.bootstrap import COMMANDS
from app.services.picking.commands import AssignPickList, ConfirmPickList, CreatePickList
from app.services.shipments.commands import (
    ConfirmShipment,
    CreateShipment,
    DeliverShipment,
    VerifyShipment,
)

HANDLERS = {
    CreatePickList: "app.services.picking.create",
    AssignPickList: "app.services.picking.assign",
    ConfirmPickList: "app.services.picking.confirm",
    CreateShipment: "app.services.shipments.create",
    VerifyShipment: "app.services.shipments.verify",
    ConfirmShipment: "app.services.shipments.confirm",
    DeliverShipment: "app.services.shipments.deliver",
}


@pytest.mark.parametrize("command", list(HANDLERS), ids=lambda c: c.__name__)
def test_command_has_its_handler(command: type) -> None:
    assert COMMANDS[command].__module__ == HANDLERS[command]


@pytest.mark.parametrize("command", list(HANDLERS), ids=lambda c: c.__name__)
def test_command_is_a_frozen_value(command: type) -> None:
    params = command.__dataclass_params__  # type: ignore[attr-defined]
    assert dataclasses.is_dataclass(command) and params.frozen
    assert "principal" in {f.name for f in dataclasses.fields(command)}
