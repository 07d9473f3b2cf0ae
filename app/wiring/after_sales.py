"""After-sales on the bus: service cases, returns (RMA), delivery feedback."""

from __future__ import annotations

from app.services.after_sales.cases.assign import update_case
from app.services.after_sales.cases.attachments import attach_to_case
from app.services.after_sales.cases.change import (
    add_case_message,
    add_customer_message,
    transition_case,
)
from app.services.after_sales.cases.commands import (
    AddCaseMessage,
    AddCustomerMessage,
    AttachToCase,
    OpenCase,
    OpenCaseFromTracking,
    RateDelivery,
    TransitionCase,
    UpdateCase,
)
from app.services.after_sales.cases.feedback import rate_delivery
from app.services.after_sales.cases.open import open_case, open_case_from_tracking
from app.services.after_sales.receiving.commands import ReceiveReturn, TakeFromQuarantine
from app.services.after_sales.receiving.quarantine import take_from_quarantine
from app.services.after_sales.receiving.receive import receive_return
from app.services.after_sales.returns.commands import ApproveReturn, RefuseReturn, RequestReturn
from app.services.after_sales.returns.decide import approve_return, refuse_return
from app.services.after_sales.returns.request import request_return
from app.services.bus import CommandHandler

COMMANDS: dict[type, CommandHandler] = {
    RequestReturn: request_return,
    ApproveReturn: approve_return,
    RefuseReturn: refuse_return,
    ReceiveReturn: receive_return,
    TakeFromQuarantine: take_from_quarantine,
    OpenCase: open_case,
    OpenCaseFromTracking: open_case_from_tracking,
    TransitionCase: transition_case,
    AddCaseMessage: add_case_message,
    AddCustomerMessage: add_customer_message,
    RateDelivery: rate_delivery,
    AttachToCase: attach_to_case,
    UpdateCase: update_case,
}
