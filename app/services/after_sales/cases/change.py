"""Working a case: moving it through its states, and messages from staff and customer.
Each change is a timeline entry, audited and published."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.after_sales.cases import (
    CaseState,
    EntryKind,
    Visibility,
    check_transition,
)
from app.domain.errors import NotFound, RuleViolation
from app.domain.events import CaseResolved, CaseUpdated
from app.repositories.cases import ServiceCase
from app.services.after_sales.cases.commands import (
    AddCaseMessage,
    AddCustomerMessage,
    TransitionCase,
)
from app.services.after_sales.cases.open import CASES_WRITE, CUSTOMER, token_hash
from app.services.after_sales.cases.timeline import add_entry
from app.services.after_sales.cases.views import CaseView, image, load_view
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


def _state(value: str) -> CaseState:
    if value not in {s.value for s in CaseState}:
        raise RuleViolation.on("state", "enum", f"Not a case state: {value}.")
    return CaseState(value)


@retrying
async def transition_case(cmd: TransitionCase, uow: UnitOfWork, ctx: Context) -> CaseView:
    """Move a case along its states (409 ``invalid_case_transition``); resolving needs a
    reason; reopening a resolved case clears its resolution."""
    cmd.principal.require(CASES_WRITE)
    after = _state(cmd.state)
    async with uow:
        case = await uow.cases.get_for_update_or_raise(cmd.case_id)
        before_state = CaseState(case.state)
        check_transition(before_state, after, cmd.reason)
        before = image(case)
        now = datetime.now(UTC)
        case.state = after.value
        if after is CaseState.RESOLVED:
            case.resolved_at = now
            case.resolution_reason = (cmd.reason or "").strip()
        elif after is CaseState.CLOSED:
            case.closed_at = now
        elif before_state is CaseState.RESOLVED:
            case.resolved_at = None
            case.resolution_reason = None
        changes = {"state": [before_state.value, after.value]}
        add_entry(
            uow,
            case,
            kind=EntryKind.CHANGE,
            visibility=Visibility.CUSTOMER,
            author=cmd.principal.actor,
            body=case.resolution_reason or "" if after is CaseState.RESOLVED else "",
            changes=changes,
        )
        event = CaseResolved if after is CaseState.RESOLVED else CaseUpdated
        uow.record(
            event(actor=cmd.principal.actor, entity_id=case.id, before=before, after=image(case))
        )
        await uow.commit()
        return await load_view(uow, case)


@retrying
async def add_case_message(cmd: AddCaseMessage, uow: UnitOfWork, ctx: Context) -> CaseView:
    """A message to the customer (the first answers the case: its response target is met) or
    an internal note, which the customer never sees."""
    cmd.principal.require(CASES_WRITE)
    if cmd.visibility not in {v.value for v in Visibility}:
        raise RuleViolation.on("visibility", "enum", f"Not a visibility: {cmd.visibility}.")
    visibility = Visibility(cmd.visibility)
    async with uow:
        case = await uow.cases.get_for_update_or_raise(cmd.case_id)
        check_open(case)
        before = image(case)
        kind = EntryKind.MESSAGE if visibility is Visibility.CUSTOMER else EntryKind.NOTE
        add_entry(
            uow, case, kind=kind, visibility=visibility, author=cmd.principal.actor, body=cmd.body
        )
        if visibility is Visibility.CUSTOMER and case.first_response_at is None:
            case.first_response_at = datetime.now(UTC)
        uow.record(
            CaseUpdated(
                actor=cmd.principal.actor, entity_id=case.id, before=before, after=image(case)
            )
        )
        await uow.commit()
        return await load_view(uow, case)


def check_open(case: ServiceCase) -> None:
    if case.state == CaseState.CLOSED:
        raise RuleViolation.on("case", "open", f"Case {case.number} is closed.")


async def customer_case(uow: UnitOfWork, token: str, case_token: str) -> ServiceCase:
    """The case the customer holding both tokens opened; 404 for anything else."""
    shipment = await uow.tracking.by_token(token)
    case = await uow.cases.by_customer_token(token_hash(case_token))
    if shipment is None or case is None or case.shipment_id != shipment.id:
        raise NotFound("No such case.")
    return case


@retrying
async def add_customer_message(cmd: AddCustomerMessage, uow: UnitOfWork, ctx: Context) -> CaseView:
    """The customer writes to their case; a case waiting for them goes back to work."""
    async with uow:
        found = await customer_case(uow, cmd.token, cmd.case_token)
        case = await uow.cases.get_for_update_or_raise(found.id)
        check_open(case)
        before = image(case)
        add_entry(
            uow,
            case,
            kind=EntryKind.MESSAGE,
            visibility=Visibility.CUSTOMER,
            author=CUSTOMER,
            body=cmd.body,
        )
        if case.state == CaseState.WAITING_CUSTOMER:
            case.state = CaseState.IN_PROGRESS.value
            add_entry(
                uow,
                case,
                kind=EntryKind.CHANGE,
                visibility=Visibility.CUSTOMER,
                author=CUSTOMER,
                changes={"state": [CaseState.WAITING_CUSTOMER.value, case.state]},
            )
        uow.record(CaseUpdated(actor=CUSTOMER, entity_id=case.id, before=before, after=image(case)))
        await uow.commit()
        return await load_view(uow, case)
