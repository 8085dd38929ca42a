"""Commands and queries: plain data describing what a caller asks the use cases to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.model import AccountKind, EnrolmentPolicy, Language, Period, Recurrence, Source, TransactionKind

AmountInput = Decimal | int | str | None
"""Amounts arrive as Decimal, int or decimal string; floats are refused by validation."""


@dataclass(frozen=True, slots=True)
class CreateTenant:
    slug: str
    name: str
    currency: str
    locale: str
    timezone: str
    language: Language | str | None = None
    """Default language; derived from the locale when not given."""
    policy: EnrolmentPolicy | str = EnrolmentPolicy.OPEN


@dataclass(frozen=True, slots=True)
class AddUser:
    phone: str
    name: str = ""
    language: Language | str | None = None
    """Defaults to the tenant's language."""
    locale: str | None = None
    currency: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class AddAccount:
    user_id: uuid.UUID
    name: str
    kind: AccountKind | str = AccountKind.CHECKING
    currency: str | None = None
    opening_balance: AmountInput = "0"
    household_id: uuid.UUID | None = None
    """A shared account of this household (the caller checks the user is an active member)."""


@dataclass(frozen=True, slots=True)
class RecordTransaction:
    """Record an expense or an income for a user."""

    user_id: uuid.UUID
    kind: TransactionKind | str
    amount: AmountInput
    currency: str | None = None
    """Defaults to the user's currency."""
    occurred_on: date | None = None
    """Defaults to today in the user's time zone."""
    merchant: str | None = None
    category: str | None = None
    note: str | None = None
    account_id: uuid.UUID | None = None
    """Defaults to the user's default account."""
    source: Source | str = Source.CHAT
    source_ref: str | None = None
    """Idempotency key: the chat message id, or the API's Idempotency-Key."""
    shared: bool = False
    """Said to be the household's ("mercado da casa"): household spending even without a shared budget of
    its category. Ignored for someone in no household."""


@dataclass(frozen=True, slots=True)
class UndoLast:
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class RestoreTransaction:
    user_id: uuid.UUID
    transaction_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class EditLast:
    """Change the user's most recent live transaction; None leaves a field as it is."""

    user_id: uuid.UUID
    amount: AmountInput = None
    currency: str | None = None
    merchant: str | None = None
    category: str | None = None
    occurred_on: date | None = None
    account_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class SetBudget:
    """Create, or replace, the user's budget for a category (None: all spending) and recurrence."""

    user_id: uuid.UUID
    amount: AmountInput
    recurrence: Recurrence | str = Recurrence.MONTHLY
    category: str | None = None
    currency: str | None = None
    thresholds: tuple[int, ...] | None = None
    shared: bool = False
    """The household's shared budget (the user must be an active member) instead of the user's own."""


@dataclass(frozen=True, slots=True)
class GetBalance:
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class ListTransactions:
    user_id: uuid.UUID
    period: Period | None = None
    category: str | None = None
    merchant: str | None = None
    """Case-insensitive match on the merchant name."""
    account_id: uuid.UUID | None = None
    kind: TransactionKind | str | None = None
    limit: int = 10


@dataclass(frozen=True, slots=True)
class GetSpendingSummary:
    user_id: uuid.UUID
    period: Period | None = None
    """Defaults to the current calendar month in the user's zone."""
    category: str | None = None
    merchant: str | None = None
    top_merchants: int = 5


@dataclass(frozen=True, slots=True)
class GetMonthlySpending:
    """Expenses per calendar month, for a chart of spending over time (issue 16)."""

    user_id: uuid.UUID
    months: int = 6
    """How many months, 1..24, the last of them the month of `until`."""
    until: date | None = None
    """A day of the last month; default: today in the user's zone."""
    category: str | None = None
    """One category's spending; None for all spending."""


@dataclass(frozen=True, slots=True)
class GetBudgetStatus:
    """Status of one budget (by category + recurrence) or, with category unset, all of the user's budgets."""

    user_id: uuid.UUID
    category: str | None = None
    all_budgets: bool = True


# -- operators (the admin API): any transaction of the tenant by id, and transfers -----------------------


@dataclass(frozen=True, slots=True)
class UpdateTransaction:
    """Change any transaction of the tenant; None leaves a field as it is, "" clears merchant, category or
    note. On a transfer leg, amount, day and note change both legs."""

    transaction_id: uuid.UUID
    amount: AmountInput = None
    currency: str | None = None
    merchant: str | None = None
    category: str | None = None
    note: str | None = None
    occurred_on: date | None = None
    account_id: uuid.UUID | None = None
    """Another account of the same user."""
    kind: TransactionKind | str | None = None


@dataclass(frozen=True, slots=True)
class DeleteTransaction:
    """Soft-delete any transaction of the tenant (both legs of a transfer); it can be restored."""

    transaction_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class RestoreTransactionById:
    """Bring back a deleted transaction of the tenant without naming its user (RestoreTransaction is the
    chat's, which only reaches the sender's own)."""

    transaction_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class RecordTransfer:
    """Move money between two accounts of one user: an expense out of one, an income into the other."""

    user_id: uuid.UUID
    from_account_id: uuid.UUID
    to_account_id: uuid.UUID
    amount: AmountInput
    currency: str | None = None
    """Must be the accounts' currency (both hold the same one); defaults to it."""
    occurred_on: date | None = None
    """Defaults to today in the user's time zone."""
    note: str | None = None
    source: Source | str = Source.CHAT
    source_ref: str | None = None
    """Idempotency key: recording the same (source, source_ref) again returns the stored transfer."""


@dataclass(frozen=True, slots=True)
class InviteMember:
    """Invite a phone number into the inviter's household (created on the first invitation)."""

    user_id: uuid.UUID
    phone: str
    label: str | None = None
    """What the inviter calls them ("wife", "João"): their name when they are new here."""


@dataclass(frozen=True, slots=True)
class AnswerInvitation:
    user_id: uuid.UUID
    accept: bool


@dataclass(frozen=True, slots=True)
class LeaveHousehold:
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class RemoveMember:
    user_id: uuid.UUID
    who: str
    """A member's name, what they were called when invited, or their phone number."""


@dataclass(frozen=True, slots=True)
class SplitExpense:
    """An expense the user paid, shared equally with household members."""

    expense: RecordTransaction
    people: tuple[str, ...] = ()
    """The members it is shared with, by name; empty: every member."""
    shares: int | None = None
    """How many equal parts were said ("en 3"): must match the people it is shared among."""


@dataclass(frozen=True, slots=True)
class SettleUp:
    """Record that the user and another member (or every member, who=None) are even."""

    user_id: uuid.UUID
    who: str | None = None
    source_ref: str | None = None
