"""Enrolment: creating tenants, adding users (each with a default account) and further accounts."""

from __future__ import annotations

from domain import validation as v
from domain.commands import AddAccount, AddUser, CreateTenant
from domain.errors import Conflict
from domain.lookup import require_user
from domain.model import Account, AccountKind, Tenant, User, new_id
from domain.money import Money
from domain.ports import Clock, DirectoryUnitOfWork, UnitOfWork

DEFAULT_ACCOUNT_NAME = "Main"


async def create_tenant(cmd: CreateTenant, directory: DirectoryUnitOfWork, clock: Clock) -> Tenant:
    """Validate and store a new tenant; the slug must be free."""
    slug = v.slug(cmd.slug)
    name = v.required_text(cmd.name, "name", v.MAX_NAME)
    currency = v.currency(cmd.currency)
    locale = v.locale(cmd.locale)
    timezone = v.timezone(cmd.timezone)
    language = v.language_for_locale(locale) if cmd.language is None else v.language(cmd.language)
    policy = v.policy(cmd.policy)
    if await directory.tenants.get_by_slug(slug) is not None:
        raise Conflict("slug", f"a tenant called {slug!r} already exists")
    tenant = Tenant(
        id=new_id(),
        slug=slug,
        name=name,
        language=language,
        locale=locale,
        currency=currency,
        timezone=timezone,
        policy=policy,
        created_at=clock.now(),
    )
    await directory.tenants.add(tenant)
    await directory.commit()
    return tenant


async def add_user(cmd: AddUser, tenant: Tenant, uow: UnitOfWork, clock: Clock) -> User:
    """Enrol a phone number in the tenant, with the tenant's defaults and a default cash account "Main"."""
    if uow.tenant_id != tenant.id:
        # A unit of work bound to another tenant would file the user in the wrong place: a wiring bug.
        raise ValueError("the unit of work is bound to a different tenant")
    phone = v.phone(cmd.phone)
    name = v.optional_text(cmd.name, "name", v.MAX_NAME) or ""
    language = tenant.language if cmd.language is None else v.language(cmd.language)
    locale = tenant.locale if cmd.locale is None else v.locale(cmd.locale)
    currency = tenant.currency if cmd.currency is None else v.currency(cmd.currency)
    timezone = tenant.timezone if cmd.timezone is None else v.timezone(cmd.timezone)
    if await uow.users.get_by_phone(phone) is not None:
        raise Conflict("phone", "this phone number is already enrolled")
    now = clock.now()
    user = User(
        id=new_id(),
        tenant_id=tenant.id,
        phone=phone,
        name=name,
        language=language,
        locale=locale,
        currency=currency,
        timezone=timezone,
        created_at=now,
        # A week start the tenant's operators set is every new user's; unset, the user's locale decides.
        week_start=_tenant_week_start(tenant),
    )
    account = Account(
        id=new_id(),
        tenant_id=tenant.id,
        user_id=user.id,
        name=DEFAULT_ACCOUNT_NAME,
        kind=AccountKind.CASH,
        currency=currency,
        opening_balance=Money.zero(currency),
        is_default=True,
        created_at=now,
    )
    await uow.users.add(user)
    await uow.accounts.add(account)
    await uow.commit()
    return user


async def add_account(cmd: AddAccount, uow: UnitOfWork, clock: Clock) -> Account:
    """Add an account to a user; names are unique per user (ignoring case) so chat can refer to them."""
    account = await open_account(cmd, uow, clock)
    await uow.commit()
    return account


async def open_account(cmd: AddAccount, uow: UnitOfWork, clock: Clock) -> Account:
    """add_account without the commit: the chat opens an account and records on it in one transaction."""
    await uow.users.lock(cmd.user_id)
    user = await require_user(uow, cmd.user_id)
    name = v.required_text(cmd.name, "name", v.MAX_ACCOUNT_NAME)
    kind = v.account_kind(cmd.kind)
    currency = user.currency if cmd.currency is None else v.currency(cmd.currency)
    opening = v.bounded_money(
        "0" if cmd.opening_balance is None else cmd.opening_balance, currency, "opening_balance"
    )
    existing = await uow.accounts.list_for(user.id)
    if any(a.name.casefold() == name.casefold() for a in existing):
        raise Conflict("name", f"there is already an account called {name!r}")
    account = Account(
        id=new_id(),
        tenant_id=user.tenant_id,
        user_id=user.id,
        name=name,
        kind=kind,
        currency=currency,
        opening_balance=opening,
        is_default=not any(a.is_default for a in existing),
        created_at=clock.now(),
        household_id=cmd.household_id,
    )
    await uow.accounts.add(account)
    return account


def _tenant_week_start(tenant: Tenant) -> str | None:
    value = tenant.settings.get("week_start")
    return value if isinstance(value, str) else None
