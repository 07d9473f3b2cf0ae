"""Orders on the bus: intake, edits, submission, review and approval, reported payments."""

from __future__ import annotations

from app.services.bus import CommandHandler
from app.services.order_review.approvals import approve_order, reject_order
from app.services.order_review.commands import (
    ApproveOrder,
    HoldOrder,
    RejectOrder,
    ReleaseHold,
    UpdatePayment,
    UpdateReviewSettings,
)
from app.services.order_review.holds import hold_order, release_hold
from app.services.order_review.payments import update_payment
from app.services.order_review.policy import update_review_settings
from app.services.orders.commands import (
    CancelOrder,
    EditOrder,
    ExchangeReturn,
    ImportOrders,
    PlaceOrder,
    ReplaceReturn,
    ShortCloseOrder,
    SubmitOrder,
)
from app.services.orders.edit import edit_order
from app.services.orders.importing import import_orders
from app.services.orders.lifecycle import cancel_order, submit_order
from app.services.orders.place import place_order
from app.services.orders.replacements import exchange_return, replace_return
from app.services.orders.short_close import short_close_order

COMMANDS: dict[type, CommandHandler] = {
    ApproveOrder: approve_order,
    RejectOrder: reject_order,
    HoldOrder: hold_order,
    ReleaseHold: release_hold,
    UpdatePayment: update_payment,
    UpdateReviewSettings: update_review_settings,
    PlaceOrder: place_order,
    ReplaceReturn: replace_return,
    ExchangeReturn: exchange_return,
    EditOrder: edit_order,
    SubmitOrder: submit_order,
    CancelOrder: cancel_order,
    ImportOrders: import_orders,
    ShortCloseOrder: short_close_order,
}
