"""Everything a handler needs for one message: who wrote, what they wrote, what it means, and the ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import nlu
from domain.charts import ChartRenderer
from domain.messages import InboundMessage
from domain.model import Tenant, User
from domain.periods import user_week_start
from domain.ports import Clock, UnitOfWork

UnitOfWorkFactory = Callable[..., UnitOfWork]
"""(tenant id, member id=None) -> a new unit of work bound to that tenant and, when given, reading as that
member (adapters.db.Database.unit_of_work)."""


@dataclass(slots=True)
class Context:
    """One message being answered."""

    tenant: Tenant
    user: User
    message: InboundMessage
    unit_of_work: UnitOfWorkFactory
    clock: Clock
    parse: nlu.Parse | None = None
    """Filled once the message is understood (control words are answered before that)."""
    merchants: nlu.MerchantOverlay | None = None
    """The tenant's own merchants: every reading of this message's text matches them first."""
    charts: ChartRenderer | None = None
    """Draws chart pictures off the event loop; None: charts are answered as text."""

    @property
    def lang(self) -> str:
        return str(self.user.language)

    @property
    def understood(self) -> nlu.Parse:
        if self.parse is None:
            raise RuntimeError("the message has not been understood yet")
        return self.parse

    def uow(self) -> UnitOfWork:
        """A unit of work that reads as this user: other members' personal rows are not theirs to see."""
        return self.unit_of_work(self.tenant.id, self.user.id)

    def read(self, text: str, intent: str, lang: str | None = None) -> nlu.Parse:
        """`text` read as `intent` (what the user picked, or what an answer belongs to) with this user's
        settings and this tenant's merchants, at this message's time; `lang` overrides the user's."""
        user = self.user
        return nlu.parse(
            text,
            now=self.message.received_at,
            lang=lang or str(user.language),
            currency=user.currency,
            tz=user.timezone,
            intent=intent,
            merchants=self.merchants,
            week_start=user_week_start(user),
        )
