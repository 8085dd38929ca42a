"""The audit trail of admin API writes: who (which key), what, before and after; newest first."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from bot.admin.api import Call, Listed, Resource
from bot.admin.schemas import ListQuery, Out
from domain.access import OperatorAudit

api = Resource("audit")


class AuditOut(Out):
    id: uuid.UUID
    actor: str
    """"key:<key id>" or "platform"."""
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime

    @classmethod
    def of(cls, record: OperatorAudit) -> AuditOut:
        return cls(
            id=record.id,
            actor=record.actor,
            action=record.action,
            entity=record.entity,
            entity_id=record.entity_id,
            before=record.before,
            after=record.after,
            at=record.at,
        )


class AuditQuery(ListQuery):
    entity: str | None = Field(default=None, max_length=32, pattern=r"^[a-z_]+$")
    entity_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9\-]+$")
    actor: str | None = Field(default=None, max_length=64, pattern=r"^[a-z]+(:[A-Za-z0-9\-]+)?$")


@api.listing("/audit", item=AuditOut, query=AuditQuery, summary="The audit trail of API writes")
async def list_audit(call: Call) -> Listed:
    query: AuditQuery = call.query
    after = int(call.after[0]) if call.after else None
    async with call.reading() as uow:
        records = await uow.operator_audit.page(
            entity=query.entity,
            entity_id=query.entity_id,
            actor=query.actor,
            after=after,
            limit=call.limit + 1,
        )
    page = records[: call.limit]
    next_key = [page[-1].seq] if len(records) > call.limit else None
    return Listed([AuditOut.of(r) for r in page], next_key)
