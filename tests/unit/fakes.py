"""In-memory implementations of every port in domain/ports.py, for fast unit tests of the use cases.

The messaging ports (inbox, outbound, rate limiter, channel) are in tests/unit/fake_messaging.py."""

# A FakeDatabase holds the committed state. Each FakeUnitOfWork works on a deep copy taken when it is entered;
# `commit` publishes the copy (and the emitted events, into `db.outbox`), leaving without commit discards it,
# so a test can assert that a refused command wrote nothing by looking at `db` afterwards. Entities go in and
# come out as copies, like rows through a real adapter: a use case that forgets to call `update` is caught.
# Concurrent units of work are not modelled (the last commit wins); that is the integration tests' job.

from __future__ import annotations

import builtins
import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

from domain.errors import Conflict, NotFound
from domain.events import Event
from domain.merchants import merchant_key
from domain.messages import InboxMessage, OutboundRecord
from domain.model import (
    Account,
    AuditRecord,
    Budget,
    BudgetCrossing,
    Goal,
    Household,
    Member,
    MemberStatus,
    Merchant,
    Period,
    Recurrence,
    RecurringRule,
    Share,
    Source,
    StatementImport,
    Tenant,
    Transaction,
    User,
)
from domain.money import Money
from domain.ports import (
    AccountRepository,
    AuditRepository,
    BudgetRepository,
    CardLinkRepository,
    CrossingRepository,
    GoalRepository,
    GroupKey,
    HouseholdRepository,
    ImportRepository,
    InboxRepository,
    MerchantRepository,
    NoticeTrustRepository,
    OutboundRepository,
    RecurringRuleRepository,
    TenantRepository,
    TransactionFilter,
    TransactionPosition,
    TransactionQuery,
    TransactionRepository,
    UserRepository,
)
from domain.results import Aggregate
from tests.unit.fake_messaging import FakeInboxRepository, FakeOutboundRepository

T = TypeVar("T")


def _copy(value: T) -> T:
    return copy.deepcopy(value)


class FixedClock:
    """A Clock whose time tests set and move."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2024, 3, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def set(self, now: datetime) -> None:
        self.current = now

    def advance(self, **delta: float) -> None:
        self.current = self.current + timedelta(**delta)


@dataclass
class Store:
    """Everything the database holds; tenant-bound repositories filter it by tenant."""

    tenants: dict[uuid.UUID, Tenant] = field(default_factory=dict)
    users: dict[uuid.UUID, User] = field(default_factory=dict)
    accounts: dict[uuid.UUID, Account] = field(default_factory=dict)
    transactions: dict[uuid.UUID, Transaction] = field(default_factory=dict)
    """Insertion ordered: the order stands in for created_at when ordering ties."""
    last_seq: int = 0
    """The last transaction seq handed out (the database's autoincrement)."""
    budgets: dict[uuid.UUID, Budget] = field(default_factory=dict)
    crossings: dict[tuple[uuid.UUID, object, int], BudgetCrossing] = field(default_factory=dict)
    audit: list[AuditRecord] = field(default_factory=list)
    inbox: dict[uuid.UUID, InboxMessage] = field(default_factory=dict)
    outbound: dict[uuid.UUID, OutboundRecord] = field(default_factory=dict)
    merchants: dict[uuid.UUID, Merchant] = field(default_factory=dict)
    imports: dict[uuid.UUID, StatementImport] = field(default_factory=dict)
    recurring: dict[uuid.UUID, RecurringRule] = field(default_factory=dict)
    goals: dict[uuid.UUID, Goal] = field(default_factory=dict)
    households: dict[uuid.UUID, Household] = field(default_factory=dict)
    members: dict[uuid.UUID, Member] = field(default_factory=dict)
    shares: dict[uuid.UUID, Share] = field(default_factory=dict)
    card_links: dict[tuple[uuid.UUID, uuid.UUID, str], uuid.UUID] = field(default_factory=dict)
    """(tenant, user, last digits) -> account."""
    notice_trust: set[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=set)
    """(tenant, user, notice format) trusted."""


class FakeDatabase:
    """The committed state shared by every unit of work of a test."""

    def __init__(self) -> None:
        self.store = Store()
        self.outbox: list[Event] = []
        self.commits = 0

    def uow(self, tenant_id: uuid.UUID, member_id: uuid.UUID | None = None) -> FakeUnitOfWork:
        # member_id narrows what PostgreSQL's policies show; the fake trusts the repositories' own scoping.
        return FakeUnitOfWork(self, tenant_id)

    def directory(self) -> FakeDirectory:
        return FakeDirectory(self)


class _Session:
    """What repositories share: the working copy, the tenant, and a log of calls (to check lock ordering)."""

    def __init__(self, db: FakeDatabase, tenant_id: uuid.UUID | None) -> None:
        self.db = db
        self.tenant_id = tenant_id
        self.working: Store | None = None
        self.calls: list[str] = []
        self.locked: list[uuid.UUID] = []

    def data(self, call: str) -> Store:
        if self.working is None:
            raise RuntimeError(f"{call} used outside `async with` of its unit of work")
        self.calls.append(call)
        return self.working

    def mine(self, entity: Any) -> bool:
        return entity is not None and entity.tenant_id == self.tenant_id

    def check_tenant(self, entity: Any) -> None:
        # The real repositories are bound to one tenant; writing another tenant's row is a use-case bug.
        if entity.tenant_id != self.tenant_id:
            raise AssertionError(
                f"{type(entity).__name__} of tenant {entity.tenant_id} written through a "
                f"unit of work bound to {self.tenant_id}"
            )


class FakeTenantRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, tenant: Tenant) -> None:
        data = self._s.data("tenants.add")
        if tenant.id in data.tenants or any(t.slug == tenant.slug for t in data.tenants.values()):
            raise AssertionError(f"duplicate tenant {tenant.slug}")
        data.tenants[tenant.id] = _copy(tenant)

    async def get(self, tenant_id: uuid.UUID) -> Tenant | None:
        return _copy(self._s.data("tenants.get").tenants.get(tenant_id))

    async def get_by_slug(self, slug: str) -> Tenant | None:
        found = [t for t in self._s.data("tenants.get_by_slug").tenants.values() if t.slug == slug]
        return _copy(found[0]) if found else None

    async def list(self) -> list[Tenant]:
        return [_copy(t) for t in self._s.data("tenants.list").tenants.values()]

    async def update(self, tenant: Tenant) -> None:
        data = self._s.data("tenants.update")
        assert tenant.id in data.tenants, "update of a tenant never added"
        data.tenants[tenant.id] = _copy(tenant)


class FakeUserRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, user: User) -> None:
        data = self._s.data("users.add")
        self._s.check_tenant(user)
        if any(u.phone == user.phone and self._s.mine(u) for u in data.users.values()):
            raise AssertionError(f"duplicate phone {user.phone}")  # the unique constraint
        data.users[user.id] = _copy(user)

    async def get(self, user_id: uuid.UUID) -> User | None:
        user = self._s.data("users.get").users.get(user_id)
        return _copy(user) if self._s.mine(user) else None

    async def get_by_phone(self, phone: str) -> User | None:
        users = self._s.data("users.get_by_phone").users.values()
        found = [u for u in users if self._s.mine(u) and u.phone == phone]
        return _copy(found[0]) if found else None

    async def list(self) -> list[User]:
        return [_copy(u) for u in self._s.data("users.list").users.values() if self._s.mine(u)]

    async def with_digest(self) -> list[User]:
        users = self._s.data("users.with_digest").users.values()
        return [_copy(u) for u in users if self._s.mine(u) and u.digest_weekday is not None]

    async def update(self, user: User) -> None:
        data = self._s.data("users.update")
        self._s.check_tenant(user)
        assert user.id in data.users, "update of a user never added"
        data.users[user.id] = _copy(user)

    async def lock(self, user_id: uuid.UUID) -> User | None:
        user = self._s.data("users.lock").users.get(user_id)
        self._s.locked.append(user_id)
        return _copy(user) if self._s.mine(user) else None


class FakeAccountRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, account: Account) -> None:
        data = self._s.data("accounts.add")
        self._s.check_tenant(account)
        data.accounts[account.id] = _copy(account)

    async def get(self, account_id: uuid.UUID) -> Account | None:
        account = self._s.data("accounts.get").accounts.get(account_id)
        return _copy(account) if self._s.mine(account) else None

    async def list_for(self, user_id: uuid.UUID) -> list[Account]:
        data = self._s.data("accounts.list_for")
        homes = {m.household_id for m in data.members.values() if m.user_id == user_id and m.active}
        own = [_copy(a) for a in data.accounts.values() if self._s.mine(a) and a.user_id == user_id]
        shared = [
            _copy(a)
            for a in data.accounts.values()
            if self._s.mine(a) and a.user_id != user_id and a.household_id in homes
        ]
        return own + shared

    async def default_for(self, user_id: uuid.UUID) -> Account | None:
        found = [a for a in await self.list_for(user_id) if a.is_default]
        return found[0] if found else None

    async def update(self, account: Account) -> None:
        data = self._s.data("accounts.update")
        self._s.check_tenant(account)
        stored = data.accounts.get(account.id)
        if stored is not None and self._s.mine(stored):
            data.accounts[account.id] = replace(
                _copy(stored),
                name=account.name,
                kind=account.kind,
                low_balance=account.low_balance,
                low_balance_warned=account.low_balance_warned,
            )


class FakeTransactionRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    def _rows(self, call: str) -> list[Transaction]:
        return [t for t in self._s.data(call).transactions.values() if self._s.mine(t)]

    async def add(self, transaction: Transaction) -> None:
        data = self._s.data("transactions.add")
        self._s.check_tenant(transaction)
        if transaction.source_ref is not None and await self.get_by_source(
            str(transaction.source), transaction.source_ref
        ):
            raise AssertionError("duplicate (source, source_ref)")  # the unique constraint
        assert transaction.id not in data.transactions, "duplicate transaction id"
        data.last_seq += 1
        stored = _copy(transaction)
        stored.seq = data.last_seq
        data.transactions[transaction.id] = stored

    async def add_many(self, transactions: Sequence[Transaction]) -> None:
        self._s.data("transactions.add_many")
        for transaction in transactions:
            await self.add(transaction)

    async def get(self, transaction_id: uuid.UUID) -> Transaction | None:
        txn = self._s.data("transactions.get").transactions.get(transaction_id)
        return _copy(txn) if self._s.mine(txn) else None

    async def get_by_source(self, source: str, source_ref: str) -> Transaction | None:
        found = [
            t
            for t in self._rows("transactions.get_by_source")
            if str(t.source) == str(source) and t.source_ref == source_ref
        ]
        return _copy(found[0]) if found else None

    async def update(self, transaction: Transaction) -> None:
        data = self._s.data("transactions.update")
        self._s.check_tenant(transaction)
        assert transaction.id in data.transactions, "update of a transaction never added"
        stored = _copy(transaction)
        stored.seq = data.transactions[transaction.id].seq  # the store's, whatever the caller's copy says
        data.transactions[transaction.id] = stored  # keeps its insertion position

    async def latest(self, user_id: uuid.UUID, *, deleted: bool = False) -> Transaction | None:
        rows = [
            t for t in self._rows("transactions.latest") if t.user_id == user_id and t.is_deleted == deleted
        ]
        if not rows:
            return None
        if deleted:
            # Most recently undone: by deleted_at, ties by insertion order (max keeps the last of equals).
            order = {t.id: i for i, t in enumerate(rows)}
            return _copy(max(rows, key=lambda t: (t.deleted_at, order[t.id])))
        return _copy(rows[-1])

    def _matching(self, flt: TransactionFilter, call: str) -> list[Transaction]:
        def keep(t: Transaction) -> bool:
            whose = (
                t.user_id == flt.user_id if flt.household_id is None else t.household_id == flt.household_id
            )
            return (
                whose
                and (flt.include_deleted or not t.is_deleted)
                and (flt.include_transfers or not t.is_transfer)
                and (flt.include_loans or flt.category is not None or not t.is_loan)
                and (flt.kind is None or t.kind == flt.kind)
                and (flt.period is None or t.occurred_on in flt.period)
                and (flt.category is None or t.category == flt.category)
                and (flt.merchant is None or (t.merchant or "").casefold() == flt.merchant.casefold())
                and (flt.account_id is None or t.account_id == flt.account_id)
                and (flt.currency is None or t.amount.currency == flt.currency)
            )

        return [t for t in self._rows(call) if keep(t)]

    async def list(self, flt: TransactionFilter, limit: int | None = None) -> list[Transaction]:
        rows = self._matching(flt, "transactions.list")
        # Newest first by day; within a day, most recently inserted first (stands in for created_at).
        order = {t.id: i for i, t in enumerate(rows)}
        rows.sort(key=lambda t: (t.occurred_on, order[t.id]), reverse=True)
        return [_copy(t) for t in (rows if limit is None else rows[:limit])]

    async def aggregate(self, flt: TransactionFilter, by: tuple[GroupKey, ...]) -> builtins.list[Aggregate]:
        keys: tuple[str, ...] = by if "currency" in by else (*by, "currency")
        groups: dict[tuple[object, ...], tuple[Money, int]] = {}
        for t in self._matching(flt, "transactions.aggregate"):
            key = tuple(t.amount.currency if k == "currency" else getattr(t, k) for k in keys)
            total, count = groups.get(key, (Money.zero(t.amount.currency), 0))
            groups[key] = (total + t.amount, count + 1)
        return [Aggregate(key=key, total=total, count=count) for key, (total, count) in groups.items()]

    async def page(
        self, query: TransactionQuery, after: TransactionPosition | None, limit: int
    ) -> builtins.list[Transaction]:
        def keep(t: Transaction) -> bool:
            wanted = {"exclude": not t.is_deleted, "include": True, "only": t.is_deleted}[query.deleted]
            text = None if query.text is None else query.text.lower()
            return (
                wanted
                and (query.user_id is None or t.user_id == query.user_id)
                and (query.account_id is None or t.account_id == query.account_id)
                and (query.from_day is None or t.occurred_on >= query.from_day)
                and (query.to_day is None or t.occurred_on <= query.to_day)
                and (query.category is None or t.category == query.category)
                and (query.merchant is None or (t.merchant or "").casefold() == query.merchant.casefold())
                and (query.kind is None or t.kind == query.kind)
                and (query.transfer_id is None or t.transfer_id == query.transfer_id)
                and (
                    not text
                    or text in (t.note or "").lower()
                    or (query.text or "").casefold() in (t.merchant or "").casefold()
                )
                and (after is None or TransactionPosition.of(t) < after)
            )

        rows = sorted(
            (t for t in self._rows("transactions.page") if keep(t)), key=TransactionPosition.of, reverse=True
        )
        return [_copy(t) for t in rows[:limit]]


class FakeBudgetRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, budget: Budget) -> None:
        data = self._s.data("budgets.add")
        self._s.check_tenant(budget)
        clash = [b for b in data.budgets.values() if _budget_key(b) == _budget_key(budget)]
        assert not clash, "duplicate budget (user, category, recurrence)"  # the unique constraint
        data.budgets[budget.id] = _copy(budget)

    async def update(self, budget: Budget) -> None:
        data = self._s.data("budgets.update")
        self._s.check_tenant(budget)
        assert budget.id in data.budgets, "update of a budget never added"
        data.budgets[budget.id] = _copy(budget)

    async def get(self, budget_id: uuid.UUID) -> Budget | None:
        budget = self._s.data("budgets.get").budgets.get(budget_id)
        return _copy(budget) if self._s.mine(budget) else None

    async def find(
        self,
        user_id: uuid.UUID,
        category: str | None,
        recurrence: Recurrence,
        household_id: uuid.UUID | None = None,
    ) -> Budget | None:
        owner = ("household", household_id) if household_id is not None else ("user", user_id)
        found = [
            b
            for b in self._s.data("budgets.find").budgets.values()
            if self._s.mine(b) and _budget_key(b) == (owner, category, recurrence)
        ]
        return _copy(found[0]) if found else None

    async def list_for(self, user_id: uuid.UUID) -> list[Budget]:
        data = self._s.data("budgets.list_for")
        return [
            _copy(b)
            for b in data.budgets.values()
            if self._s.mine(b) and b.user_id == user_id and b.household_id is None
        ]

    async def shared_by(self, household_id: uuid.UUID) -> list[Budget]:
        data = self._s.data("budgets.shared_by")
        return [_copy(b) for b in data.budgets.values() if self._s.mine(b) and b.household_id == household_id]

    async def delete(self, budget_id: uuid.UUID) -> bool:
        data = self._s.data("budgets.delete")
        budget = data.budgets.get(budget_id)
        if budget is None or not self._s.mine(budget):
            return False
        del data.budgets[budget_id]
        for key in [k for k, c in data.crossings.items() if c.budget_id == budget_id]:
            del data.crossings[key]
        return True

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[Budget]:
        data = self._s.data("budgets.page")
        rows = sorted(
            (b for b in data.budgets.values() if self._s.mine(b) and user_id in (None, b.user_id)),
            key=lambda b: b.id,
        )
        return [_copy(b) for b in rows if after is None or b.id > after][:limit]


def _budget_key(b: Budget) -> tuple[tuple[str, uuid.UUID], str | None, Recurrence]:
    """What budgets' unique indexes enforce: one per owner (a user or a household), scope, recurrence."""
    owner = ("household", b.household_id) if b.household_id is not None else ("user", b.user_id)
    return (owner, b.category, b.recurrence)


class FakeHouseholdRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, household: Household) -> None:
        data = self._s.data("households.add")
        self._s.check_tenant(household)
        assert household.id not in data.households
        data.households[household.id] = _copy(household)

    async def get(self, household_id: uuid.UUID) -> Household | None:
        found = self._s.data("households.get").households.get(household_id)
        return _copy(found) if self._s.mine(found) else None

    async def lock(self, household_id: uuid.UUID) -> Household | None:
        found = self._s.data("households.lock").households.get(household_id)
        return _copy(found) if self._s.mine(found) else None

    async def list(self) -> list[Household]:
        data = self._s.data("households.list")
        return [_copy(h) for h in data.households.values() if self._s.mine(h)]

    async def update(self, household: Household) -> None:
        data = self._s.data("households.update")
        self._s.check_tenant(household)
        if not self._s.mine(data.households.get(household.id)):
            raise NotFound("household", household.id)
        data.households[household.id] = _copy(household)

    async def add_member(self, member: Member) -> bool:
        data = self._s.data("households.add_member")
        self._s.check_tenant(member)
        for other in data.members.values():
            if other.tenant_id != member.tenant_id or other.user_id != member.user_id:
                continue
            open_here = other.household_id == member.household_id and other.status in OPEN_STATUSES
            if open_here or (other.active and member.active):
                return False
        data.members[member.id] = _copy(member)
        return True

    async def update_member(self, member: Member) -> None:
        data = self._s.data("households.update_member")
        self._s.check_tenant(member)
        assert member.id in data.members, "update of a member never added"
        if member.active and any(
            m.active and m.user_id == member.user_id and m.id != member.id for m in data.members.values()
        ):
            raise Conflict("status", "this person is already in a household")
        data.members[member.id] = _copy(member)

    async def members(self, household_id: uuid.UUID, *, active_only: bool = True) -> builtins.list[Member]:
        data = self._s.data("households.members")
        return [
            _copy(m)
            for m in data.members.values()
            if self._s.mine(m) and m.household_id == household_id and (m.active or not active_only)
        ]

    async def membership(self, user_id: uuid.UUID) -> Member | None:
        data = self._s.data("households.membership")
        found = [m for m in data.members.values() if self._s.mine(m) and m.user_id == user_id and m.active]
        return _copy(found[0]) if found else None

    async def invitation(self, user_id: uuid.UUID) -> Member | None:
        data = self._s.data("households.invitation")
        found = [
            m
            for m in data.members.values()
            if self._s.mine(m) and m.user_id == user_id and m.status == MemberStatus.INVITED
        ]
        return _copy(found[-1]) if found else None

    async def add_share(self, share: Share) -> bool:
        data = self._s.data("households.add_share")
        self._s.check_tenant(share)
        if share.source_ref is not None and any(
            (s.source_ref, s.debtor_id) == (share.source_ref, share.debtor_id) for s in data.shares.values()
        ):
            return False
        data.shares[share.id] = _copy(share)
        return True

    async def shares(self, household_id: uuid.UUID, user_id: uuid.UUID) -> builtins.list[Share]:
        data = self._s.data("households.shares")
        return [
            _copy(s)
            for s in data.shares.values()
            if self._s.mine(s)
            and s.household_id == household_id
            and user_id in (s.creditor_id, s.debtor_id)
            and s.deleted_at is None
            and not (s.transaction_id in data.transactions and data.transactions[s.transaction_id].is_deleted)
        ]

    async def shares_of(self, transaction_id: uuid.UUID) -> builtins.list[Share]:
        data = self._s.data("households.shares_of")
        return [
            _copy(s) for s in data.shares.values() if self._s.mine(s) and s.transaction_id == transaction_id
        ]


OPEN_STATUSES = (MemberStatus.INVITED, MemberStatus.ACTIVE)


class FakeCrossingRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add_if_absent(self, crossing: BudgetCrossing) -> bool:
        data = self._s.data("crossings.add_if_absent")
        self._s.check_tenant(crossing)
        key = (crossing.budget_id, crossing.period_start, crossing.threshold)
        if key in data.crossings:
            return False
        data.crossings[key] = _copy(crossing)
        return True


class FakeAuditRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, record: AuditRecord) -> None:
        data = self._s.data("audit.add")
        self._s.check_tenant(record)
        data.audit.append(_copy(record))

    async def list_for(self, transaction_id: uuid.UUID) -> list[AuditRecord]:
        data = self._s.data("audit.list_for")
        return [_copy(r) for r in data.audit if self._s.mine(r) and r.transaction_id == transaction_id]

    async def latest_for_user(self, user_id: uuid.UUID) -> AuditRecord | None:
        data = self._s.data("audit.latest_for_user")
        mine = [r for r in data.audit if self._s.mine(r) and r.user_id == user_id]
        # Ties (a pinned clock) go to the record stored last, as a real clock would have ordered them.
        return _copy(max(reversed(mine), key=lambda r: r.at)) if mine else None


class FakeMerchantRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, merchant: Merchant) -> None:
        data = self._s.data("merchants.add")
        self._s.check_tenant(merchant)
        key = merchant_key(merchant.name)
        if any(self._s.mine(m) and merchant_key(m.name) == key for m in data.merchants.values()):
            raise AssertionError(f"duplicate merchant name {merchant.name!r}")  # the unique constraint
        data.merchants[merchant.id] = _copy(merchant)

    async def get(self, merchant_id: uuid.UUID) -> Merchant | None:
        merchant = self._s.data("merchants.get").merchants.get(merchant_id)
        return _copy(merchant) if self._s.mine(merchant) else None

    async def list(self) -> list[Merchant]:
        rows = [m for m in self._s.data("merchants.list").merchants.values() if self._s.mine(m)]
        return [_copy(m) for m in sorted(rows, key=lambda m: merchant_key(m.name))]

    async def update(self, merchant: Merchant) -> None:
        data = self._s.data("merchants.update")
        self._s.check_tenant(merchant)
        assert merchant.id in data.merchants, "update of a merchant never added"
        data.merchants[merchant.id] = _copy(merchant)

    async def delete(self, merchant_id: uuid.UUID) -> bool:
        data = self._s.data("merchants.delete")
        if not self._s.mine(data.merchants.get(merchant_id)):
            return False
        del data.merchants[merchant_id]
        return True

    async def find(self, key: str) -> Merchant | None:
        found = [m for m in await self.list() if key in {merchant_key(x) for x in (m.name, *m.aliases)}]
        return found[0] if found else None


class FakeImportRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add_if_absent(self, record: StatementImport) -> bool:
        data = self._s.data("imports.add_if_absent")
        self._s.check_tenant(record)
        key = (record.account_id, record.file_hash)
        if any(self._s.mine(r) and (r.account_id, r.file_hash) == key for r in data.imports.values()):
            return False  # the unique constraint (tenant, account, file_hash)
        data.imports[record.id] = _copy(record)
        return True

    async def get(self, import_id: uuid.UUID) -> StatementImport | None:
        record = self._s.data("imports.get").imports.get(import_id)
        return _copy(record) if self._s.mine(record) else None

    async def get_by_hash(self, file_hash: str) -> StatementImport | None:
        rows = self._s.data("imports.get_by_hash").imports.values()
        found = [r for r in rows if self._s.mine(r) and r.file_hash == file_hash]
        return _copy(found[0]) if found else None

    async def list(
        self,
        account_id: uuid.UUID | None = None,
        limit: int | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[StatementImport]:
        rows = [r for r in self._s.data("imports.list").imports.values() if self._s.mine(r)]
        rows = [r for r in rows if account_id is None or r.account_id == account_id]
        rows.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        if after is not None:
            rows = [r for r in rows if r.created_at is not None and (r.created_at, r.id) < after]
        return [_copy(r) for r in (rows if limit is None else rows[:limit])]

    async def recorded_lines(self, account_id: uuid.UUID, period: Period) -> builtins.list[Transaction]:
        rows = self._s.data("imports.recorded_lines").transactions.values()
        return [
            _copy(t)
            for t in rows
            if self._s.mine(t)
            and t.account_id == account_id
            and t.source == Source.IMPORT
            and t.occurred_on in period
        ]


class FakeRecurringRuleRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, rule: RecurringRule) -> None:
        data = self._s.data("recurring.add")
        self._s.check_tenant(rule)
        assert rule.id not in data.recurring, "recurring rule id taken"
        data.recurring[rule.id] = _copy(rule)

    async def update(self, rule: RecurringRule) -> None:
        data = self._s.data("recurring.update")
        self._s.check_tenant(rule)
        stored = data.recurring.get(rule.id)
        assert stored is not None and self._s.mine(stored), "update of a recurring rule never added"
        data.recurring[rule.id] = replace(
            _copy(stored), next_due=rule.next_due, cancelled_at=rule.cancelled_at, bill=rule.bill
        )

    async def get(self, rule_id: uuid.UUID) -> RecurringRule | None:
        rule = self._s.data("recurring.get").recurring.get(rule_id)
        return _copy(rule) if self._s.mine(rule) else None

    async def list_for(self, user_id: uuid.UUID, *, active_only: bool = True) -> builtins.list[RecurringRule]:
        rows = [
            r
            for r in self._s.data("recurring.list_for").recurring.values()
            if self._s.mine(r) and r.user_id == user_id and (r.active or not active_only)
        ]
        return [_copy(r) for r in sorted(rows, key=lambda r: (r.next_due, r.created_at or 0, r.id))]

    async def claim_due(self, on_or_before: date, limit: int) -> builtins.list[RecurringRule]:
        rows = [
            r
            for r in self._s.data("recurring.claim_due").recurring.values()
            if self._s.mine(r) and r.active and r.next_due <= on_or_before
        ]
        return [_copy(r) for r in sorted(rows, key=lambda r: (r.next_due, r.id))[:limit]]

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[RecurringRule]:
        rows = [r for r in self._s.data("recurring.page").recurring.values() if self._s.mine(r)]
        rows = [
            r for r in rows if (user_id is None or r.user_id == user_id) and (after is None or r.id > after)
        ]
        return [_copy(r) for r in sorted(rows, key=lambda r: r.id)[:limit]]

    async def bills_due(self, first: date, last: date) -> builtins.list[RecurringRule]:
        rows = [
            r
            for r in self._s.data("recurring.bills_due").recurring.values()
            if self._s.mine(r) and r.active and r.bill and first <= r.next_due <= last
        ]
        return [_copy(r) for r in sorted(rows, key=lambda r: (r.next_due, r.id))]


class FakeGoalRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, goal: Goal) -> None:
        data = self._s.data("goals.add")
        self._s.check_tenant(goal)
        assert goal.id not in data.goals, "goal id taken"
        assert all(g.account_id != goal.account_id for g in data.goals.values()), "goal account taken"
        data.goals[goal.id] = _copy(goal)

    async def update(self, goal: Goal) -> None:
        data = self._s.data("goals.update")
        self._s.check_tenant(goal)
        stored = data.goals.get(goal.id)
        assert stored is not None and self._s.mine(stored), "update of a goal never added"
        data.goals[goal.id] = replace(
            _copy(stored), target=goal.target, target_date=goal.target_date, closed_at=goal.closed_at
        )

    async def get(self, goal_id: uuid.UUID) -> Goal | None:
        goal = self._s.data("goals.get").goals.get(goal_id)
        return _copy(goal) if self._s.mine(goal) else None

    async def list_for(self, user_id: uuid.UUID, *, open_only: bool = True) -> builtins.list[Goal]:
        rows = [
            g
            for g in self._s.data("goals.list_for").goals.values()
            if self._s.mine(g) and g.user_id == user_id and (g.open or not open_only)
        ]
        return [_copy(g) for g in rows]

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[Goal]:
        rows = [g for g in self._s.data("goals.page").goals.values() if self._s.mine(g)]
        rows = [g for g in rows if user_id is None or g.user_id == user_id]
        rows = [g for g in rows if after is None or g.id > after]
        return [_copy(g) for g in sorted(rows, key=lambda g: g.id)[:limit]]


class FakeCardLinkRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def link(self, user_id: uuid.UUID, digits: str, account_id: uuid.UUID) -> None:
        data = self._s.data("cards.link")
        data.card_links[(self._tenant(), user_id, digits)] = account_id

    async def account_for(self, user_id: uuid.UUID, digits: str) -> uuid.UUID | None:
        return self._s.data("cards.account_for").card_links.get((self._tenant(), user_id, digits))

    def _tenant(self) -> uuid.UUID:
        assert self._s.tenant_id is not None
        return self._s.tenant_id


class FakeNoticeTrustRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def trust(self, user_id: uuid.UUID, source: str) -> None:
        self._s.data("notice_trust.trust").notice_trust.add((self._tenant(), user_id, source))

    async def is_trusted(self, user_id: uuid.UUID, source: str) -> bool:
        return (self._tenant(), user_id, source) in self._s.data("notice_trust.is_trusted").notice_trust

    async def forget(self, user_id: uuid.UUID, source: str) -> bool:
        data = self._s.data("notice_trust.forget")
        key = (self._tenant(), user_id, source)
        found = key in data.notice_trust
        data.notice_trust.discard(key)
        return found

    async def trusted(self, user_id: uuid.UUID) -> builtins.list[str]:
        rows = self._s.data("notice_trust.trusted").notice_trust
        return sorted(s for t, u, s in rows if t == self._tenant() and u == user_id)

    def _tenant(self) -> uuid.UUID:
        assert self._s.tenant_id is not None
        return self._s.tenant_id


class FakeUnitOfWork:
    """A UnitOfWork bound to one tenant over a FakeDatabase."""

    def __init__(self, db: FakeDatabase, tenant_id: uuid.UUID) -> None:
        self.db = db
        self.tenant_id = tenant_id
        self._session = _Session(db, tenant_id)
        # Typed as the ports, so mypy checks that each fake repository satisfies its Protocol.
        self.users: UserRepository = FakeUserRepository(self._session)
        self.accounts: AccountRepository = FakeAccountRepository(self._session)
        self.transactions: TransactionRepository = FakeTransactionRepository(self._session)
        self.budgets: BudgetRepository = FakeBudgetRepository(self._session)
        self.crossings: CrossingRepository = FakeCrossingRepository(self._session)
        self.audit: AuditRepository = FakeAuditRepository(self._session)
        self.merchants: MerchantRepository = FakeMerchantRepository(self._session)
        self.imports: ImportRepository = FakeImportRepository(self._session)
        self.recurring: RecurringRuleRepository = FakeRecurringRuleRepository(self._session)
        self.goals: GoalRepository = FakeGoalRepository(self._session)
        self.households: HouseholdRepository = FakeHouseholdRepository(self._session)
        self.cards: CardLinkRepository = FakeCardLinkRepository(self._session)
        self.notice_trust: NoticeTrustRepository = FakeNoticeTrustRepository(self._session)
        self.inbox: InboxRepository = FakeInboxRepository(self._session)
        self.outbound: OutboundRepository = FakeOutboundRepository(self._session)
        self.pending: list[Event] = []
        self.committed = 0

    @property
    def calls(self) -> list[str]:
        """Every repository call made, in order (for checks such as "locked before reading")."""
        return self._session.calls

    @property
    def locked(self) -> list[uuid.UUID]:
        """User ids passed to `users.lock`, in order."""
        return self._session.locked

    async def __aenter__(self) -> Self:
        self._session.working = _copy(self.db.store)
        self.pending = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.rollback()
        self._session.working = None

    async def commit(self) -> None:
        if self._session.working is None:
            raise RuntimeError("commit outside `async with`")
        self.db.store = _copy(self._session.working)
        self.db.outbox.extend(self.pending)
        self.db.commits += 1
        self.committed += 1
        self.pending = []

    async def rollback(self) -> None:
        if self._session.working is not None:
            self._session.working = _copy(self.db.store)
        self.pending = []

    def emit(self, event: Event) -> None:
        if event.tenant_id != self.tenant_id:
            raise AssertionError("event of another tenant")
        self.pending.append(event)


class FakeDirectory:
    """A DirectoryUnitOfWork over the same FakeDatabase."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self._session = _Session(db, None)
        self.tenants: TenantRepository = FakeTenantRepository(self._session)

    async def __aenter__(self) -> Self:
        self._session.working = _copy(self.db.store)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._session.working = None

    async def commit(self) -> None:
        if self._session.working is None:
            raise RuntimeError("commit outside `async with`")
        self.db.store = _copy(self._session.working)
        self.db.commits += 1
