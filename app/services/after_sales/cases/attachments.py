"""Attachments of a case (photos of damage, documents): of an allowed type by their own bytes,
within the size limit."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from app.domain.after_sales.cases import EntryKind, Visibility, check_attachment
from app.domain.errors import NotFound, RuleViolation
from app.domain.events import CaseUpdated
from app.repositories.cases import CaseAttachment
from app.services.after_sales.cases.commands import AttachToCase
from app.services.after_sales.cases.open import CASES_WRITE
from app.services.after_sales.cases.timeline import add_entry
from app.services.after_sales.cases.views import image
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


@retrying
async def attach_to_case(cmd: AttachToCase, uow: UnitOfWork, ctx: Context) -> CaseAttachment:
    """Keep a file on the case (422 field ``file``: a type not allowed, bytes of another
    type, empty, or over LADING_CASE_ATTACHMENT_MAX_BYTES); the timeline notes it."""
    cmd.principal.require(CASES_WRITE)
    if cmd.visibility not in {v.value for v in Visibility}:
        raise RuleViolation.on("visibility", "enum", f"Not a visibility: {cmd.visibility}.")
    check_attachment(cmd.content_type, cmd.data, ctx.settings.case_attachment_max_bytes)
    async with uow:
        case = await uow.cases.get_for_update_or_raise(cmd.case_id)
        before = image(case)
        entry = add_entry(
            uow,
            case,
            kind=EntryKind.NOTE,
            visibility=Visibility(cmd.visibility),
            author=cmd.principal.actor,
            body=f"Attached {cmd.filename}",
        )
        await uow.flush()
        row = CaseAttachment(
            id=uuid.uuid4(),
            case_id=case.id,
            entry_id=entry.id,
            filename=cmd.filename[:200],
            content_type=cmd.content_type,
            size=len(cmd.data),
            sha256=hashlib.sha256(cmd.data).hexdigest(),
            visibility=cmd.visibility,
            data=cmd.data,
            created_at=datetime.now(UTC),
            created_by=cmd.principal.actor,
        )
        uow.cases.add(row)
        uow.record(
            CaseUpdated(
                actor=cmd.principal.actor, entity_id=case.id, before=before, after=image(case)
            )
        )
        await uow.commit()
        return row


async def attachment(
    uow: UnitOfWork, case_id: uuid.UUID, attachment_id: uuid.UUID
) -> CaseAttachment:
    async with uow:
        row = await uow.cases.attachment(attachment_id)
        if row is None or row.case_id != case_id:
            raise NotFound(f"Case {case_id} has no attachment {attachment_id}.")
        return row
