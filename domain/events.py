"""Events the use cases emit; the unit of work stores them in the outbox in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from domain.money import Money


@dataclass(frozen=True, slots=True)
class Event:
    """Base class: every event belongs to one tenant."""

    tenant_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class BudgetThresholdCrossed(Event):
    """A budget's spending in its current period went from below to at-or-above a threshold."""

    user_id: uuid.UUID
    budget_id: uuid.UUID
    category: str | None
    threshold: int
    """Percent of the budget amount: 80, 100 ..."""
    period_start: date
    period_end: date
    spent: Money
    budget: Money
    source: str | None = None
    """Where the change that crossed came from (domain.model.Source value: "chat", "admin_api", "import").
    A chat user was told in the reply, so no push is sent; None (events stored before this field) pushes."""
    shared: bool = False
    """A household's shared budget: `user_id` is the member told (each member gets an event of their own),
    and the alert says the budget is the house's."""


@dataclass(frozen=True, slots=True)
class HouseholdNotice(Event):
    """Something a household member is told by push: an invitation to answer, someone joining or leaving."""

    user_id: uuid.UUID
    """Who is told."""
    what: str
    """One of HOUSEHOLD_NOTICES: "invited", "joined", "declined", "left", "removed", "added", "dropped"."""
    who: str
    """The other person, as the one told knows them (a name, or what the inviter called them)."""


HOUSEHOLD_NOTICES = ("invited", "joined", "declined", "left", "removed", "added", "dropped")
"""added / dropped: an operator put the member in, or took them out of, the household named in `who`."""


@dataclass(frozen=True, slots=True)
class LowBalance(Event):
    """An account's balance went under the warning its user set (told once until it recovers)."""

    user_id: uuid.UUID
    account_id: uuid.UUID
    account: str
    balance: Money
    threshold: Money
    source: str | None = None
    """As for BudgetThresholdCrossed: a chat write told it in the reply, so it is not pushed."""


@dataclass(frozen=True, slots=True)
class WeeklyDigestDue(Event):
    """A user's weekly digest fell due (scheduled once per user and week: the outbox's event id is derived
    from both); the push is composed when it is sent, from the ledger as it then is."""

    user_id: uuid.UUID
    week_start: date
    """The first day of the week the digest sums up, in the user's zone."""
    due_at: datetime
    """When it was due (UTC): a digest that could not go out within a day of this is skipped, not sent."""


@dataclass(frozen=True, slots=True)
class BillDue(Event):
    """A recurring rule marked as a bill is due tomorrow in its user's zone, and no matching payment is
    recorded yet (scheduled once per rule and due day)."""

    user_id: uuid.UUID
    rule_id: uuid.UUID
    due: date
    amount: Money
    name: str
    """What the bill is called: its merchant, note or category ("aluguel", "Netflix")."""
    account: str | None = None
    """The account it is paid from, when the rule names one."""


@dataclass(frozen=True, slots=True)
class TransactionRecorded(Event):
    """A new transaction was written (not emitted for an idempotent replay)."""

    user_id: uuid.UUID
    transaction_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class StatementImported(Event):
    """A bank statement was imported into an account (one event for the file, not one per line)."""

    user_id: uuid.UUID
    account_id: uuid.UUID
    import_id: uuid.UUID
    recorded: int
