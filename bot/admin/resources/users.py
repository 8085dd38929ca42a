"""Users (enrol, edit, find by phone, opt-out per channel) and their accounts: the example resource."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import not_found
from bot.admin.schemas import Amount, AmountText, Currency, ListQuery, Name, Out, Phone, Strict
from domain import services
from domain.commands import AddAccount, AddUser
from domain.digest_schedule import DigestSlot
from domain.household_admin import require_active_member
from domain.lookup import require_user
from domain.model import Account, Channel, User
from domain.operators import UNSET, UpdateAccount, UpdateUser, update_account, update_user
from domain.periods import user_week_start

api = Resource("users")

LanguageCode = Literal["en", "es", "pt"]
WeekStart = Literal["monday", "sunday", "saturday"]
Locale = str
Zone = str


class OptOut(Strict):
    whatsapp: bool | None = None
    sms: bool | None = None


class UserIn(Strict):
    phone: Phone
    name: str = Field(default="", max_length=120, pattern=r"^[^\x00-\x1f]*$")
    language: LanguageCode | None = None
    locale: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
    currency: Currency | None = None
    timezone: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_+\-/]+$")


class WeeklyDigest(Strict):
    weekday: int = Field(ge=0, le=6)
    """0 = Monday .. 6 = Sunday, in the user's zone."""
    hour: int = Field(ge=0, le=23)
    """The hour of that day in the user's zone (digests go out on the hour)."""


class WeeklyDigestOut(Out):
    weekday: int
    hour: int


class UserPatch(Strict):
    name: str | None = Field(default=None, max_length=120, pattern=r"^[^\x00-\x1f]*$")
    language: LanguageCode | None = None
    locale: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
    currency: Currency | None = None
    timezone: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_+\-/]+$")
    week_start: WeekStart | None = None
    """The first day of the user's week ("this week", weekly budgets); null follows the locale again."""
    opted_out: OptOut | None = None
    """Set a channel's opt-out (true after a user asked elsewhere to stop; false only with their consent)."""
    weekly_digest: WeeklyDigest | None = None
    """The weekly digest's day and hour in the user's zone; null stops it."""


class UserOut(Out):
    id: uuid.UUID
    phone: str
    name: str
    language: str
    locale: str
    currency: str
    timezone: str
    week_start: WeekStart
    """The first day of the user's week as used: their own choice, else what the locale implies."""
    week_start_chosen: bool
    """Whether the user (or an operator) chose it; false: it follows the locale (Sunday in the US)."""
    opted_out_whatsapp: bool
    opted_out_sms: bool
    weekly_digest: WeeklyDigestOut | None
    """The weekly digest's day (0 = Monday) and hour in the user's zone; null: they get none."""
    created_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            phone=user.phone,
            name=user.name,
            language=str(user.language),
            locale=user.locale,
            currency=user.currency,
            timezone=user.timezone,
            week_start=user_week_start(user),  # type: ignore[arg-type]  # one of WEEK_STARTS
            week_start_chosen=user.week_start is not None,
            opted_out_whatsapp=bool(user.opted_out.get(str(Channel.WHATSAPP))),
            opted_out_sms=bool(user.opted_out.get(str(Channel.SMS))),
            weekly_digest=(
                None
                if user.digest_weekday is None
                else WeeklyDigestOut(weekday=user.digest_weekday, hour=user.digest_hour)
            ),
            created_at=user.created_at,
        )


class UserQuery(ListQuery):
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()\-.]*$")
    """Exact phone number (E.164; spaces and dashes are ignored)."""


@api.listing("/users", item=UserOut, query=UserQuery, summary="List users, or find one by phone")
async def list_users(call: Call) -> Listed:
    query: UserQuery = call.query
    async with call.reading() as uow:
        if query.phone:
            digits = "".join(ch for ch in query.phone if ch.isdigit())
            user = await uow.users.get_by_phone("+" + digits)
            return Listed([UserOut.of(user)] if user else [], None)
        users = await uow.users.list()
    # Tenants have hundreds of users, not millions: ordered by id and sliced after the cursor.
    ordered = sorted(users, key=lambda u: str(u.id))
    after = str(call.after[0]) if call.after else ""
    rest = [u for u in ordered if str(u.id) > after]
    page = rest[: call.limit]
    next_key = [str(page[-1].id)] if len(rest) > call.limit else None
    return Listed([UserOut.of(u) for u in page], next_key)


@api.post(
    "/users",
    body=UserIn,
    response=UserOut,
    summary="Enrol a user (with a default cash account)",
    conflicts=True,
)
async def create_user(call: Call) -> UserOut:
    body: UserIn = call.body
    assert call.tenant is not None
    cmd = AddUser(
        phone=body.phone,
        name=body.name,
        language=body.language,
        locale=body.locale,
        currency=body.currency,
        timezone=body.timezone,
    )
    async with call.writing() as uow:
        user = await services.add_user(cmd, call.tenant, uow, call.clock)
        out = UserOut.of(user)
        call.audit("create", "user", user.id, None, out)
    return out


@api.get("/users/{user_id}", response=UserOut, summary="One user")
async def get_user(call: Call) -> UserOut:
    async with call.reading() as uow:
        user = await uow.users.get(call.id("user_id"))
    if user is None:
        raise not_found("user")
    return UserOut.of(user)


@api.patch("/users/{user_id}", body=UserPatch, response=UserOut, summary="Change a user", conflicts=True)
async def update_user_route(call: Call) -> UserOut:
    body: UserPatch = call.body
    sent = body.model_fields_set
    opted = {} if body.opted_out is None else body.opted_out.model_dump(exclude_none=True)
    cmd = UpdateUser(
        user_id=call.id("user_id"),
        **{
            name: getattr(body, name)
            for name in ("name", "language", "locale", "currency", "timezone")
            if name in sent and getattr(body, name) is not None
        },
        # null is a value here: the week follows the user's locale again.
        week_start=body.week_start if "week_start" in sent else UNSET,
        opted_out=opted,
        weekly_digest=_digest_slot(body.weekly_digest) if "weekly_digest" in sent else UNSET,
    )
    async with call.writing() as uow:
        before, after = await update_user(cmd, uow)
        out = UserOut.of(after)
        call.audit("update", "user", after.id, UserOut.of(before), out)
    return out


def _digest_slot(digest: WeeklyDigest | None) -> DigestSlot | None:
    # null is a value too: the digest stops.
    return None if digest is None else DigestSlot(digest.weekday, digest.hour)


class AccountIn(Strict):
    name: Name
    kind: Literal["cash", "checking", "savings", "credit_card"] = "checking"
    currency: Currency | None = None
    opening_balance: Amount = Decimal(0)
    household_id: uuid.UUID | None = None
    """A shared account of this household, which every member sees; the user must be an active member of it
    (else 422)."""


class AccountOut(Out):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    kind: str
    currency: str
    opening_balance: AmountText
    is_default: bool
    household_id: uuid.UUID | None = None
    """The household whose shared account it is; null: the user's own."""
    created_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            id=account.id,
            user_id=account.user_id,
            name=account.name,
            kind=str(account.kind),
            currency=account.currency,
            opening_balance=str(account.opening_balance.quantized().amount),
            is_default=account.is_default,
            household_id=account.household_id,
            created_at=account.created_at,
        )


@api.listing("/users/{user_id}/accounts", item=AccountOut, query=ListQuery, summary="A user's accounts")
async def list_accounts(call: Call) -> Listed:
    async with call.reading() as uow:
        user = await uow.users.get(call.id("user_id"))
        if user is None:
            raise not_found("user")
        accounts = await uow.accounts.list_for(user.id)
    ordered = sorted(accounts, key=lambda a: str(a.id))
    after = str(call.after[0]) if call.after else ""
    rest = [a for a in ordered if str(a.id) > after]
    page = rest[: call.limit]
    return Listed([AccountOut.of(a) for a in page], [str(page[-1].id)] if len(rest) > call.limit else None)


@api.post(
    "/users/{user_id}/accounts", body=AccountIn, response=AccountOut, summary="Add an account", conflicts=True
)
async def create_account(call: Call) -> AccountOut:
    body: AccountIn = call.body
    cmd = AddAccount(
        user_id=call.id("user_id"),
        name=body.name,
        kind=body.kind,
        currency=body.currency,
        opening_balance=body.opening_balance,
        household_id=body.household_id,
    )
    async with call.writing() as uow:
        if body.household_id is not None:
            await require_user(uow, cmd.user_id)  # an unknown user is a 404, shared or not
            await require_active_member(uow, body.household_id, cmd.user_id)
        account = await services.add_account(cmd, uow, call.clock)
        out = AccountOut.of(account)
        call.audit("create", "account", account.id, None, out)
    return out


class AccountPatch(Strict):
    name: Name | None = None
    kind: Literal["cash", "checking", "savings", "credit_card"] | None = None


@api.patch(
    "/accounts/{account_id}",
    body=AccountPatch,
    response=AccountOut,
    summary="Rename an account or change its kind",
    conflicts=True,
)
async def update_account_route(call: Call) -> AccountOut:
    body: AccountPatch = call.body
    cmd = UpdateAccount(
        account_id=call.id("account_id"),
        name=UNSET if body.name is None else body.name,
        kind=UNSET if body.kind is None else body.kind,
    )
    async with call.writing() as uow:
        before, after = await update_account(cmd, uow)
        out = AccountOut.of(after)
        call.audit("update", "account", after.id, AccountOut.of(before), out)
    return out


@api.get("/accounts/{account_id}", response=AccountOut, summary="One account")
async def get_account(call: Call) -> AccountOut:
    async with call.reading() as uow:
        account = await uow.accounts.get(call.id("account_id"))
    if account is None:
        raise not_found("account")
    return AccountOut.of(account)


__all__ = ["UNSET", "AccountOut", "UserOut", "api"]
