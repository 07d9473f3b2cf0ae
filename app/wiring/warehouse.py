"""Stock, allocation, transfers, purchasing, picking and shipments on the bus."""

from __future__ import annotations

from app.services.allocation.allocate import allocate_order
from app.services.allocation.commands import (
    AllocateOrder,
    DeallocateOrder,
    ExpireUnpaidReservations,
)
from app.services.allocation.release import deallocate_order, expire_unpaid_reservations
from app.services.bus import CommandHandler
from app.services.picking.assign import assign_pick_list
from app.services.picking.commands import AssignPickList, ConfirmPickList, CreatePickList
from app.services.picking.confirm import confirm_pick_list
from app.services.picking.create import create_pick_list
from app.services.purchasing.commands import (
    CancelPurchaseOrder,
    CreatePurchaseOrder,
    CreateReplenishmentOrders,
    ReceivePurchaseOrder,
    SendPurchaseOrder,
)
from app.services.purchasing.create import create_purchase_order
from app.services.purchasing.lifecycle import cancel_purchase_order, send_purchase_order
from app.services.purchasing.receive import receive_purchase_order
from app.services.purchasing.replenish import create_from_suggestions
from app.services.shipments.commands import (
    ConfirmShipment,
    CreateShipment,
    DeliverShipment,
    VerifyShipment,
)
from app.services.shipments.confirm import confirm_shipment
from app.services.shipments.create import create_shipment
from app.services.shipments.deliver import deliver_shipment
from app.services.shipments.verify import verify_shipment
from app.services.stock.commands import RecordMovement
from app.services.stock.movements import record_movement
from app.services.transfers.cancel import cancel_transfer
from app.services.transfers.commands import (
    CancelTransfer,
    CreateTransfer,
    ReceiveTransfer,
    ShipTransfer,
)
from app.services.transfers.create import create_transfer
from app.services.transfers.receive import receive_transfer
from app.services.transfers.ship import ship_transfer

COMMANDS: dict[type, CommandHandler] = {
    AllocateOrder: allocate_order,
    DeallocateOrder: deallocate_order,
    ExpireUnpaidReservations: expire_unpaid_reservations,
    RecordMovement: record_movement,
    CreatePurchaseOrder: create_purchase_order,
    CreateReplenishmentOrders: create_from_suggestions,
    SendPurchaseOrder: send_purchase_order,
    CancelPurchaseOrder: cancel_purchase_order,
    ReceivePurchaseOrder: receive_purchase_order,
    CreateTransfer: create_transfer,
    ShipTransfer: ship_transfer,
    ReceiveTransfer: receive_transfer,
    CancelTransfer: cancel_transfer,
    CreatePickList: create_pick_list,
    AssignPickList: assign_pick_list,
    ConfirmPickList: confirm_pick_list,
    CreateShipment: create_shipment,
    VerifyShipment: verify_shipment,
    ConfirmShipment: confirm_shipment,
    DeliverShipment: deliver_shipment,
}
