"""A tenant whose budget alerts are due as pushes: users who never wrote (so SMS from the tenant's Twilio
number), no quiet hours, alerts written straight into the outbox as an admin API write leaves them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from adapters.db import ChannelEndpoint, Database
from adapters.db.tables import outbound_messages, outbox
from domain.events import BudgetThresholdCrossed
from domain.model import Language, Source, Tenant, User
from domain.money import Money


@dataclass
class PushTenant:
    db: Database
    tenant: Tenant
    twilio_number: str
    users: list[User] = field(default_factory=list)

    @classmethod
    async def create(cls, db: Database, quiet_hours: dict[str, str] | None = None) -> PushTenant:
        """A tenant with a Twilio number of its own; `quiet_hours` ({"start", "end"}) or none at all."""
        tenant = Tenant(
            id=uuid.uuid4(),
            slug=f"p-{uuid.uuid4().hex[:12]}",
            name="Pushes",
            language=Language.PT,
            locale="pt_BR",
            currency="BRL",
            timezone="America/Sao_Paulo",
            settings={"quiet_hours": quiet_hours},
        )
        # A module's tests share a PostgreSQL database, and an address routes to one tenant.
        number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
        async with db.directory() as directory:
            await directory.tenants.add(tenant)
            await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", number))
            await directory.commit()
        return cls(db, tenant, number)

    async def add_users(self, n: int) -> list[User]:
        added = [
            User(
                id=uuid.uuid4(),
                tenant_id=self.tenant.id,
                phone=f"+55119{len(self.users) + i:08d}",
                name=f"User {len(self.users) + i}",
                language=Language.PT,
                locale="pt_BR",
                currency="BRL",
                timezone="America/Sao_Paulo",
            )
            for i in range(n)
        ]
        async with self.db.unit_of_work(self.tenant.id) as uow:
            for user in added:
                await uow.users.add(user)
            await uow.commit()
        self.users.extend(added)
        return added

    async def alert_each(self, users: list[User], spent: str = "1234.56") -> None:
        """One due budget alert (80% of groceries, from the admin API: no reply told it) per user."""
        events = [
            BudgetThresholdCrossed(
                tenant_id=self.tenant.id,
                user_id=user.id,
                budget_id=uuid.uuid4(),
                category="groceries",
                threshold=80,
                period_start=date(2025, 3, 1),
                period_end=date(2025, 3, 31),
                spent=Money.of(spent, "BRL"),
                budget=Money.of("1500.00", "BRL"),
                source=Source.ADMIN_API.value,
            )
            for user in users
        ]
        async with self.db.unit_of_work(self.tenant.id) as uow:
            await uow.outbox.add_all(events)
            await uow.commit()

    async def outbox(self) -> list[dict[str, Any]]:
        async with self.db.unit_of_work(self.tenant.id) as uow:
            rows = await uow.execute(sa.select(outbox).order_by(outbox.c.id))
            return [dict(row) for row in rows.mappings()]

    async def outbound(self) -> list[dict[str, Any]]:
        async with self.db.unit_of_work(self.tenant.id) as uow:
            rows = await uow.execute(sa.select(outbound_messages).order_by(outbound_messages.c.created_at))
            return [dict(row) for row in rows.mappings()]
