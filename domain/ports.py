"""Protocols the adapters implement: clock, tenant-bound repositories, the unit of work, the rate limiter."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Literal, Protocol, Self

from domain.access import ApiKey, OperatorAudit
from domain.events import Event
from domain.messages import DeliveryStatus, InboxMessage, LastInbound, OutboundRecord, RateDecision
from domain.model import (
    Account,
    AuditRecord,
    Budget,
    BudgetCrossing,
    Goal,
    Household,
    Member,
    Merchant,
    Period,
    Recurrence,
    RecurringRule,
    Share,
    StatementImport,
    Tenant,
    Transaction,
    TransactionKind,
    TransactionPosition,
    User,
)
from domain.results import Aggregate


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class ExchangeRates(Protocol):
    """A source of exchange rates (none is configured today: the assistant then says it has no rate)."""

    async def rate(self, base: str, quote: str, on: date) -> Decimal | None:
        """Units of `quote` one unit of `base` bought on `on`; None when the source has no such rate."""
        ...


GroupKey = Literal["currency", "category", "merchant", "account_id", "kind"]


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    """Which of one user's transactions a query covers. Deleted (undone) rows and transfer legs are left
    out unless asked: a transfer between accounts is neither spending nor earning, so sums of what was spent
    must not see it, while balances and listings ask for it."""

    user_id: uuid.UUID
    kind: TransactionKind | None = None
    period: Period | None = None
    category: str | None = None
    merchant: str | None = None
    """Case-insensitive equality on the merchant name."""
    account_id: uuid.UUID | None = None
    currency: str | None = None
    include_deleted: bool = False
    include_transfers: bool = False
    household_id: uuid.UUID | None = None
    """When set, the household's spending (every member's transactions tagged with it) instead of the
    user's own: what a shared budget counts."""
    include_loans: bool = False
    """Money lent or borrowed (category "loans") is neither spending nor earning either: sums leave it out
    unless asked (balances and listings ask), or unless `category` names it."""


DeletedRows = Literal["exclude", "include", "only"]


@dataclass(frozen=True, slots=True)
class TransactionQuery:
    """Which of the tenant's transactions an operator's listing covers: every user unless one is named."""

    user_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    from_day: date | None = None
    """First local day included."""
    to_day: date | None = None
    """Last local day included."""
    category: str | None = None
    merchant: str | None = None
    """Case-insensitive equality on the merchant name."""
    kind: TransactionKind | None = None
    text: str | None = None
    """Case-insensitive substring of the note or the merchant (LIKE wildcards in it are plain text)."""
    deleted: DeletedRows = "exclude"
    transfer_id: uuid.UUID | None = None


class TenantRepository(Protocol):
    """The tenant directory. Not tenant-bound: it is how a tenant is found in the first place."""

    async def add(self, tenant: Tenant) -> None: ...
    async def get(self, tenant_id: uuid.UUID) -> Tenant | None: ...
    async def get_by_slug(self, slug: str) -> Tenant | None: ...
    async def list(self) -> list[Tenant]: ...
    async def update(self, tenant: Tenant) -> None:
        """Store the tenant's name, defaults, policy and settings (its id and slug never change)."""
        ...


class ApiKeyRepository(Protocol):
    """API keys, part of the directory: a request's key is found by its hash before its tenant is known."""

    async def add(self, key: ApiKey) -> None: ...
    async def find_by_hash(self, key_hash: str) -> ApiKey | None: ...
    async def get(self, tenant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        """The key only if it belongs to `tenant_id`."""
        ...

    async def list_for(self, tenant_id: uuid.UUID) -> list[ApiKey]: ...
    async def revoke(self, tenant_id: uuid.UUID, key_id: uuid.UUID, at: datetime) -> bool:
        """Revoke a live key of this tenant; False when there is none (missing, another's, or revoked)."""
        ...


class OperatorAuditRepository(Protocol):
    """This tenant's trail of admin API writes, oldest first by storage order."""

    async def add(self, record: OperatorAudit) -> None: ...
    async def page(
        self,
        *,
        entity: str | None = None,
        entity_id: str | None = None,
        actor: str | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> list[OperatorAudit]:
        """Newest first; `after` is the seq of the last record of the previous page."""
        ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...
    async def get(self, user_id: uuid.UUID) -> User | None: ...
    async def get_by_phone(self, phone: str) -> User | None: ...
    async def list(self) -> list[User]: ...
    async def update(self, user: User) -> None: ...
    async def with_digest(self) -> builtins.list[User]:
        """The users who get a weekly digest (digest_weekday set): the worker's scheduling pass reads only
        these, not the whole tenant."""
        ...

    async def lock(self, user_id: uuid.UUID) -> User | None:
        """Serialize writers for one user until the unit of work ends (SELECT ... FOR UPDATE); the user as
        locked (one round trip for both), None when there is no such user in this tenant."""
        ...


class AccountRepository(Protocol):
    async def add(self, account: Account) -> None: ...
    async def get(self, account_id: uuid.UUID) -> Account | None: ...
    async def list_for(self, user_id: uuid.UUID) -> list[Account]:
        """The user's own accounts (default first), then their household's shared ones."""
        ...

    async def default_for(self, user_id: uuid.UUID) -> Account | None: ...
    async def update(self, account: Account) -> None:
        """Store a changed name or kind (currency, opening balance and default are kept as they were)."""
        ...


class TransactionRepository(Protocol):
    async def add(self, transaction: Transaction) -> None: ...
    async def add_many(self, transactions: Sequence[Transaction]) -> None:
        """Insert many new transactions in one round trip (a statement import); all or none."""
        ...

    async def get(self, transaction_id: uuid.UUID) -> Transaction | None: ...
    async def get_by_source(self, source: str, source_ref: str) -> Transaction | None: ...
    async def update(self, transaction: Transaction) -> None:
        """Store every field of the transaction (amount, day, merchant, category, account, deleted_at)."""
        ...

    async def latest(self, user_id: uuid.UUID, *, deleted: bool = False) -> Transaction | None:
        """The most recently created live transaction (with deleted=True: the most recently undone one)."""
        ...

    async def list(self, flt: TransactionFilter, limit: int | None = None) -> list[Transaction]:
        """Newest first: by occurred_on, then created_at, descending."""
        ...

    # builtins.list: inside this class body the name `list` is the method above.
    async def aggregate(self, flt: TransactionFilter, by: tuple[GroupKey, ...]) -> builtins.list[Aggregate]:
        """Sum and count per group. Money is never summed across currencies: the currency is always part of
        the grouping (when `by` does not name it, it is appended last)."""
        ...

    async def page(
        self, query: TransactionQuery, after: TransactionPosition | None, limit: int
    ) -> builtins.list[Transaction]:
        """Up to `limit` of the tenant's transactions matching `query`, newest first by (occurred_on, seq),
        strictly after `after` in that order (from the start when None); each comes back with its seq."""
        ...


class BudgetRepository(Protocol):
    async def add(self, budget: Budget) -> None: ...
    async def update(self, budget: Budget) -> None: ...
    async def get(self, budget_id: uuid.UUID) -> Budget | None: ...
    async def find(
        self,
        user_id: uuid.UUID,
        category: str | None,
        recurrence: Recurrence,
        household_id: uuid.UUID | None = None,
    ) -> Budget | None:
        """The user's own budget, or (household_id given) the household's shared one."""
        ...

    async def list_for(self, user_id: uuid.UUID) -> list[Budget]:
        """The user's own budgets, not the household's."""
        ...

    async def shared_by(self, household_id: uuid.UUID) -> list[Budget]: ...
    async def delete(self, budget_id: uuid.UUID) -> bool:
        """Remove the budget and its crossings; False when there was none."""
        ...

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[Budget]:
        """The tenant's budgets ordered by id (stable), after `after`."""
        ...


class CrossingRepository(Protocol):
    async def add_if_absent(self, crossing: BudgetCrossing) -> bool:
        """Insert unless (budget, period_start, threshold) exists; True when this call inserted it."""
        ...


class AuditRepository(Protocol):
    async def add(self, record: AuditRecord) -> None: ...
    async def list_for(self, transaction_id: uuid.UUID) -> list[AuditRecord]: ...
    async def latest_for_user(self, user_id: uuid.UUID) -> AuditRecord | None:
        """The user's most recent change to any of their transactions, None when there was none."""
        ...


class MerchantRepository(Protocol):
    """This tenant's own merchants (names, aliases, categories) that the NLU matches first."""

    async def add(self, merchant: Merchant) -> None: ...
    async def get(self, merchant_id: uuid.UUID) -> Merchant | None: ...
    async def list(self) -> list[Merchant]:
        """Every merchant of the tenant, by name."""
        ...

    async def update(self, merchant: Merchant) -> None: ...
    async def delete(self, merchant_id: uuid.UUID) -> bool:
        """Remove it; False when there was none."""
        ...

    async def find(self, key: str) -> Merchant | None:
        """The merchant whose name or one of whose aliases has this key (domain.merchants.merchant_key)."""
        ...


class GoalRepository(Protocol):
    async def add(self, goal: Goal) -> None: ...
    async def update(self, goal: Goal) -> None:
        """Store target, target_date and closed_at."""
        ...

    async def get(self, goal_id: uuid.UUID) -> Goal | None: ...
    async def list_for(self, user_id: uuid.UUID, *, open_only: bool = True) -> builtins.list[Goal]:
        """A user's goals, oldest first."""
        ...

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[Goal]:
        """The tenant's goals ordered by id (stable), after `after`."""
        ...


class HouseholdRepository(Protocol):
    """Households, their members and the debts between members (adapters/db/households.py)."""

    async def add(self, household: Household) -> None: ...
    async def get(self, household_id: uuid.UUID) -> Household | None: ...
    async def lock(self, household_id: uuid.UUID) -> Household | None:
        """The household, its row locked until the transaction ends: writes that count for its shared
        budgets are serialised on it, so concurrent members see each other's spending."""
        ...

    async def list(self) -> builtins.list[Household]: ...
    async def update(self, household: Household) -> None:
        """Store a changed name or closed_at."""
        ...

    async def add_member(self, member: Member) -> bool:
        """False when the person already has an open invitation or membership of this household, or is an
        active member of another (the unique indexes decide, also under concurrency)."""
        ...

    async def update_member(self, member: Member) -> None: ...
    async def members(
        self, household_id: uuid.UUID, *, active_only: bool = True
    ) -> builtins.list[Member]: ...
    async def membership(self, user_id: uuid.UUID) -> Member | None:
        """The user's active membership, if any."""
        ...

    async def invitation(self, user_id: uuid.UUID) -> Member | None:
        """The user's newest open invitation, if any."""
        ...

    async def add_share(self, share: Share) -> bool:
        """False when its (source_ref, debtor) was recorded already."""
        ...

    async def shares(self, household_id: uuid.UUID, user_id: uuid.UUID) -> builtins.list[Share]:
        """Live shares and settlements this user is a party to (a share of an undone expense is not)."""
        ...

    async def shares_of(self, transaction_id: uuid.UUID) -> builtins.list[Share]: ...


class CardLinkRepository(Protocol):
    """A user's card last digits (as bank notices name them) -> the account their spending goes to."""

    async def link(self, user_id: uuid.UUID, digits: str, account_id: uuid.UUID) -> None:
        """Link the digits to the account, replacing an earlier link of the same digits."""
        ...

    async def account_for(self, user_id: uuid.UUID, digits: str) -> uuid.UUID | None: ...


class NoticeTrustRepository(Protocol):
    """The notice formats (nlu Notice.source) a user has recorded without being asked."""

    async def trust(self, user_id: uuid.UUID, source: str) -> None:
        """Trust the format (trusted already: nothing changes)."""
        ...

    async def is_trusted(self, user_id: uuid.UUID, source: str) -> bool: ...
    async def forget(self, user_id: uuid.UUID, source: str) -> bool:
        """Ask again for this format; False when it was not trusted."""
        ...

    async def trusted(self, user_id: uuid.UUID) -> builtins.list[str]:
        """The user's trusted formats, by name."""
        ...


class RecurringRuleRepository(Protocol):
    async def add(self, rule: RecurringRule) -> None: ...
    async def update(self, rule: RecurringRule) -> None:
        """Store next_due, cancelled_at and bill (the schedule never changes: cancel and start anew)."""
        ...

    async def get(self, rule_id: uuid.UUID) -> RecurringRule | None: ...
    async def list_for(self, user_id: uuid.UUID, *, active_only: bool = True) -> builtins.list[RecurringRule]:
        """A user's rules, the next due first."""
        ...

    async def claim_due(self, on_or_before: date, limit: int) -> builtins.list[RecurringRule]:
        """Active rules with next_due on or before the day, oldest due first; on PostgreSQL locked until the
        unit of work ends, and skipped by a concurrent claimant (FOR UPDATE SKIP LOCKED)."""
        ...

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[RecurringRule]:
        """The tenant's rules ordered by id (stable), after `after`."""
        ...

    async def bills_due(self, first: date, last: date) -> builtins.list[RecurringRule]:
        """Active rules marked as bills whose next_due is between the two days (inclusive), by due day."""
        ...


class ImportRepository(Protocol):
    """This tenant's imported statement files."""

    async def add_if_absent(self, record: StatementImport) -> bool:
        """Insert unless (account, file_hash) is stored; True when this call inserted it (on PostgreSQL a
        concurrent import of the same file waits for the first to commit, then gets False)."""
        ...

    async def get(self, import_id: uuid.UUID) -> StatementImport | None: ...
    async def get_by_hash(self, file_hash: str) -> StatementImport | None:
        """The import of this file, into whichever account (a file is imported into one account only)."""
        ...

    async def list(
        self,
        account_id: uuid.UUID | None = None,
        limit: int | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[StatementImport]:
        """Newest first (created_at, then id, descending); `after`: the (created_at, id) of the last row of
        the previous page."""
        ...

    async def recorded_lines(self, account_id: uuid.UUID, period: Period) -> builtins.list[Transaction]:
        """Transactions an earlier import recorded in the account and dated in `period`, undone ones too:
        an overlapping statement does not record them again."""
        ...


class InboxRepository(Protocol):
    """This tenant's inbound messages. A claim is a token: every write of the claimant names it and is
    refused (False) once the claim was taken over, so a stale processor cannot settle or answer."""

    async def add_if_absent(self, message: InboxMessage) -> tuple[InboxMessage, bool]:
        """Store unless the provider_message_id is already there: (the stored row, created by this call)."""
        ...

    async def get(self, message_id: uuid.UUID) -> InboxMessage | None: ...
    async def last_inbound(self, sender: str) -> LastInbound | None: ...

    async def claim(self, limit: int, now: datetime, lease_until: datetime, token: str) -> list[InboxMessage]:
        """Take up to `limit` rows, oldest first: pending ones due (not_before passed) and processing ones
        whose lease expired. They become processing under `token`, attempts + 1."""
        ...

    async def renew(self, token: str, lease_until: datetime) -> int:
        """Extend the lease of the rows still processing under `token` (the heartbeat); how many."""
        ...

    async def hold(self, message_id: uuid.UUID, token: str, lease_until: datetime) -> bool:
        """Check the claim and extend its lease, inside the transaction that records an answer."""
        ...

    async def mark_done(
        self, message_id: uuid.UUID, token: str, reply_text: str | None, at: datetime
    ) -> bool: ...

    async def retry_later(
        self, message_id: uuid.UUID, token: str, error: str, not_before: datetime, at: datetime
    ) -> bool:
        """Back to pending with the error, not processed again before `not_before`."""
        ...

    async def give_up(
        self, message_id: uuid.UUID, token: str, error: str, reply_text: str, at: datetime
    ) -> bool:
        """Failed for good after the last attempt; `reply_text` is the apology the sender got."""
        ...

    async def defer(self, message_id: uuid.UUID, token: str, not_before: datetime, at: datetime) -> bool:
        """Over the rate limit: back to pending until `not_before`; the claim did not count as an attempt."""
        ...

    async def drop(self, message_id: uuid.UUID, token: str, error: str, at: datetime) -> bool:
        """Over the hourly deferral cap: dropped, never processed; the sender is told by settle_dropped."""
        ...

    async def count_deferred(self, sender: str, since: datetime) -> int:
        """Messages of `sender` deferred by the rate limit since `since` (the hourly cap)."""
        ...

    async def has_held(self, sender: str, now: datetime) -> bool:
        """A message of `sender` waits for the worker now (pending, due)."""
        ...

    async def has_open(self, sender: str) -> bool:
        """Whether `sender` has messages pending or processing."""
        ...

    async def dropped_unsettled(self, limit: int) -> builtins.list[InboxMessage]:
        """Dropped messages whose sender was not told yet, oldest first."""
        ...

    async def dropped_notice_since(self, sender: str, since: datetime) -> bool:
        """Whether `sender` was told about dropped messages since `since`."""
        ...

    async def settle_dropped(
        self, message_ids: builtins.list[uuid.UUID], reply_text: str | None, at: datetime
    ) -> int:
        """Mark dropped messages as told (`reply_text`: the notice, None when it was not sent); how many."""
        ...


class OutboundRepository(Protocol):
    """This tenant's outbound messages and their delivery status."""

    async def add(self, message: OutboundRecord) -> None: ...
    async def get(self, message_id: uuid.UUID) -> OutboundRecord | None: ...

    async def set_provider_id(
        self,
        message_id: uuid.UUID,
        provider_message_id: str,
        status: DeliveryStatus = "sent",
        at: datetime | None = None,
    ) -> None: ...

    async def update_status_by_provider_id(
        self,
        provider: str,
        provider_message_id: str,
        status: str,
        error: str | None = None,
        at: datetime | None = None,
    ) -> bool: ...


class RateLimiter(Protocol):
    """Per-sender token bucket (adapters/cache/rate_limit.py)."""

    async def check(
        self, tenant_id: uuid.UUID | str, sender: str, now: datetime | float, *, reserve: bool = False
    ) -> RateDecision:
        """Take a token. With `reserve`, a refused message takes the next free one ahead of time, and
        the decision says how many seconds until it is there (`wait`)."""
        ...


class UnitOfWork(Protocol):
    """One database transaction bound to one tenant. Events emitted are stored in the outbox on commit."""

    tenant_id: uuid.UUID
    users: UserRepository
    accounts: AccountRepository
    transactions: TransactionRepository
    budgets: BudgetRepository
    crossings: CrossingRepository
    audit: AuditRepository
    merchants: MerchantRepository
    imports: ImportRepository
    recurring: RecurringRuleRepository
    goals: GoalRepository
    households: HouseholdRepository
    cards: CardLinkRepository
    notice_trust: NoticeTrustRepository

    # Read-only, so an adapter may expose a richer repository class than the port.
    @property
    def inbox(self) -> InboxRepository: ...
    @property
    def outbound(self) -> OutboundRepository: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    def emit(self, event: Event) -> None: ...


class DirectoryUnitOfWork(Protocol):
    """A transaction over the tenant directory (creating and finding tenants) and the API keys."""

    tenants: TenantRepository
    keys: ApiKeyRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    async def commit(self) -> None: ...
