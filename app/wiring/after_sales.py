"""After-sales on the bus: service cases, returns (RMA), delivery feedback."""

from __future__ import annotations

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
}
