"""Households: invitations with consent, leaving and removing, splitting expenses and settling up."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from domain import validation as v
from domain.commands import (
    AddUser,
    AnswerInvitation,
    InviteMember,
    LeaveHousehold,
    RemoveMember,
    SettleUp,
    SplitExpense,
)
from domain.directory import add_user
from domain.errors import NotFound
from domain.events import HouseholdNotice
from domain.ledger import record_occurrence
from domain.lookup import require_user
from domain.model import (
    Household,
    Member,
    MemberRole,
    MemberStatus,
    Share,
    ShareKind,
    Tenant,
    User,
    new_id,
)
from domain.money import Money
from domain.ports import Clock, UnitOfWork
from domain.results import RecordResult

HOUSEHOLD_NAME_MAX = 60


def fold(text: str) -> str:
    """Case and accents folded ("João" and "joao" name the same member)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Person:
    """A member as another member knows them."""

    user: User
    member: Member

    @property
    def name(self) -> str:
        return display_name(self.user, self.member)


def display_name(user: User, member: Member | None) -> str:
    """Their own name, else what the inviter called them, else their number."""
    if user.name.strip():
        return user.name.strip()
    if member is not None and member.label:
        return member.label
    return user.phone


@dataclass(frozen=True, slots=True)
class Invitation:
    """What an invitation did. outcome: "invited", "invited_again" (an open invitation is repeated),
    "already_member", "in_another_household", "self"."""

    outcome: str
    invitee: User | None = None
    household: Household | None = None


async def invite(cmd: InviteMember, tenant: Tenant, uow: UnitOfWork, clock: Clock) -> Invitation:
    """Invite a phone number. The invitee is enrolled when new (in the inviter's language and currency) and
    told by push; nothing is shared until they accept with a reply of their own."""
    inviter = await require_user(uow, cmd.user_id)
    phone = v.phone(cmd.phone)
    label = v.optional_text(cmd.label, "label", HOUSEHOLD_NAME_MAX)
    if phone == inviter.phone:
        return Invitation("self")
    invitee = await uow.users.get_by_phone(phone)
    if invitee is None:
        name = label if label and label[:1].isupper() else ""
        invitee = await add_user(
            AddUser(
                phone=phone,
                name=name,
                language=inviter.language,
                locale=inviter.locale,
                currency=inviter.currency,
                timezone=inviter.timezone,
            ),
            tenant,
            uow,
            clock,
        )
    now = clock.now()
    mine = await uow.households.membership(inviter.id)
    if mine is None:
        household = Household(
            id=new_id(),
            tenant_id=inviter.tenant_id,
            name=v.optional_text(display_name(inviter, None), "name", HOUSEHOLD_NAME_MAX) or "Casa",
            created_by=inviter.id,
            created_at=now,
        )
        await uow.households.add(household)
        mine = Member(
            id=new_id(),
            tenant_id=inviter.tenant_id,
            household_id=household.id,
            user_id=inviter.id,
            role=MemberRole.OWNER,
            status=MemberStatus.ACTIVE,
            created_at=now,
        )
        await uow.households.add_member(mine)
    else:
        found = await uow.households.get(mine.household_id)
        if found is None:
            raise NotFound("household", mine.household_id)
        household = found
    theirs = await uow.households.membership(invitee.id)
    if theirs is not None:
        same = theirs.household_id == household.id
        return Invitation("already_member" if same else "in_another_household", invitee, household)
    member = Member(
        id=new_id(),
        tenant_id=inviter.tenant_id,
        household_id=household.id,
        user_id=invitee.id,
        role=MemberRole.MEMBER,
        status=MemberStatus.INVITED,
        label=label,
        invited_by=inviter.id,
        created_at=now,
        updated_at=now,
    )
    added = await uow.households.add_member(member)
    uow.emit(
        HouseholdNotice(
            tenant_id=inviter.tenant_id, user_id=invitee.id, what="invited", who=display_name(inviter, mine)
        )
    )
    await uow.commit()
    return Invitation("invited" if added else "invited_again", invitee, household)


@dataclass(frozen=True, slots=True)
class Answer:
    """outcome: "joined", "declined", "no_invitation", "in_another_household"."""

    outcome: str
    inviter: str | None = None
    members: tuple[str, ...] = ()


async def answer_invitation(cmd: AnswerInvitation, uow: UnitOfWork, clock: Clock) -> Answer:
    """The invitee's consent (or refusal), by a reply of their own."""
    user = await require_user(uow, cmd.user_id)
    invitation = await uow.households.invitation(user.id)
    if invitation is None:
        return Answer("no_invitation")
    inviter = None if invitation.invited_by is None else await uow.users.get(invitation.invited_by)
    inviter_name = None if inviter is None else display_name(inviter, None)
    if cmd.accept and await uow.households.membership(user.id) is not None:
        return Answer("in_another_household", inviter_name)
    invitation.status = MemberStatus.ACTIVE if cmd.accept else MemberStatus.DECLINED
    invitation.updated_at = clock.now()
    await uow.households.update_member(invitation)
    others = [p for p in await people(uow, invitation.household_id) if p.user.id != user.id]
    what = "joined" if cmd.accept else "declined"
    told = others if cmd.accept else [p for p in others if p.user.id == invitation.invited_by]
    for person in told:
        uow.emit(
            HouseholdNotice(
                tenant_id=user.tenant_id,
                user_id=person.user.id,
                what=what,
                who=display_name(user, invitation),
            )
        )
    await uow.commit()
    return Answer(what, inviter_name, tuple(p.name for p in others))


def _tell(uow: UnitOfWork, to: User, what: str, who: str) -> None:
    """Push `to` a household notice (the alert worker sends it in their language)."""
    uow.emit(HouseholdNotice(tenant_id=to.tenant_id, user_id=to.id, what=what, who=who))


async def people(uow: UnitOfWork, household_id: uuid.UUID) -> list[Person]:
    """The household's active members with their user records, in the order they joined."""
    found = []
    for member in await uow.households.members(household_id):
        user = await uow.users.get(member.user_id)
        if user is not None:
            found.append(Person(user, member))
    return found


async def my_household(uow: UnitOfWork, user_id: uuid.UUID) -> tuple[Member, list[Person]] | None:
    """The user's membership and every active member (themselves included), or None outside a household."""
    mine = await uow.households.membership(user_id)
    if mine is None:
        return None
    return mine, await people(uow, mine.household_id)


# "my wife", "mi roomie", "a Ana": the words before a name or a relation that are not part of it.
_LEADING = frozenset(
    {"my", "the", "mi", "mis", "el", "la", "a", "o", "minha", "meu", "do", "da", "de", "con", "com", "with"}
)


def _person_key(text: str) -> str:
    words = fold(text).split()
    while len(words) > 1 and words[0] in _LEADING:
        words = words[1:]
    return " ".join(words)


def same_person(name: str, who: str) -> bool:
    """Whether `who` (as written in a message) names the member shown as `name`: whole, or by first name."""
    key, shown = _person_key(who), _person_key(name)
    return bool(key) and (key == shown or key.split()[0] == (shown.split() or [""])[0])


def find_person(others: list[Person], who: str) -> list[Person]:
    """The members `who` names: by name, by what they were called when invited, or by number."""
    key = _person_key(who)
    digits = "".join(c for c in who if c.isdigit())
    exact = [
        p
        for p in others
        if key
        and (
            _person_key(p.user.name) == key
            or _person_key(p.member.label or "") == key
            or (len(digits) >= 6 and p.user.phone.endswith(digits[-8:]))
        )
    ]
    if exact:
        return exact
    # "Ana" for "Ana Souza": a first name is enough when only one member has it.
    return [p for p in others if key and (fold(p.user.name).split() or [""])[0] == key.split()[0]]


@dataclass(frozen=True, slots=True)
class Departure:
    """outcome: "left", "removed", "not_in_household", "no_such_member", "ambiguous", "not_owner", "self"."""

    outcome: str
    who: str | None = None
    balances: tuple[Balance, ...] = ()


async def leave(cmd: LeaveHousehold, uow: UnitOfWork, clock: Clock) -> Departure:
    """The user leaves: shared budgets and accounts stay with the others; debts between members stay owed."""
    user = await require_user(uow, cmd.user_id)
    found = await my_household(uow, user.id)
    if found is None:
        return Departure("not_in_household")
    mine, everyone = found
    owed = await balances(uow, user, mine.household_id)
    mine.status, mine.updated_at = MemberStatus.LEFT, clock.now()
    await uow.households.update_member(mine)
    others = [p for p in everyone if p.user.id != user.id]
    if mine.role == MemberRole.OWNER and others:
        # Someone must be able to remove members: the longest-standing member takes over.
        heir = others[0].member
        heir.role, heir.updated_at = MemberRole.OWNER, clock.now()
        await uow.households.update_member(heir)
    for person in others:
        uow.emit(
            HouseholdNotice(
                tenant_id=user.tenant_id, user_id=person.user.id, what="left", who=user.name or user.phone
            )
        )
    await uow.commit()
    return Departure("left", balances=tuple(b for b in owed if not b.even))


async def remove(cmd: RemoveMember, uow: UnitOfWork, clock: Clock) -> Departure:
    """The household's owner removes a member (or withdraws an invitation); the removed member is told."""
    user = await require_user(uow, cmd.user_id)
    found = await my_household(uow, user.id)
    if found is None:
        return Departure("not_in_household")
    mine, everyone = found
    others = [p for p in everyone if p.user.id != user.id]
    invited = [
        Person(u, m)
        for m in await uow.households.members(mine.household_id, active_only=False)
        if m.status == MemberStatus.INVITED and (u := await uow.users.get(m.user_id)) is not None
    ]
    matches = find_person(others + invited, cmd.who)
    if not matches:
        return Departure("self" if find_person(everyone, cmd.who) else "no_such_member", cmd.who)
    if len(matches) > 1:
        return Departure("ambiguous", cmd.who)
    if mine.role != MemberRole.OWNER:
        return Departure("not_owner", matches[0].name)
    target = matches[0]
    target.member.status, target.member.updated_at = MemberStatus.REMOVED, clock.now()
    await uow.households.update_member(target.member)
    uow.emit(
        HouseholdNotice(
            tenant_id=user.tenant_id, user_id=target.user.id, what="removed", who=display_name(user, mine)
        )
    )
    await uow.commit()
    return Departure("removed", target.name)


# -- splitting and settling ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Balance:
    """What one other member and the user owe each other, per currency: positive, they owe the user."""

    who: str
    user_id: uuid.UUID
    net: dict[str, Money] = field(default_factory=dict)

    @property
    def even(self) -> bool:
        return all(m.amount == 0 for m in self.net.values())


async def balances(uow: UnitOfWork, user: User, household_id: uuid.UUID) -> list[Balance]:
    """The user's balance with every other active member (and anyone they still have shares with)."""
    found = await my_household(uow, user.id)
    names: dict[uuid.UUID, str] = {}
    if found is not None:
        names = {p.user.id: p.name for p in found[1] if p.user.id != user.id}
    net: dict[uuid.UUID, dict[str, Money]] = {uid: {} for uid in names}
    for share in await uow.households.shares(household_id, user.id):
        other, sign = (share.debtor_id, 1) if share.creditor_id == user.id else (share.creditor_id, -1)
        code = share.amount.currency
        per = net.setdefault(other, {})
        per[code] = per.get(code, Money.zero(code)) + share.amount * sign
    result = []
    for uid, per in net.items():
        if uid not in names:
            other_user = await uow.users.get(uid)
            names[uid] = "?" if other_user is None else display_name(other_user, None)
        result.append(Balance(names[uid], uid, {c: m for c, m in sorted(per.items()) if m.amount != 0}))
    return result


@dataclass(frozen=True, slots=True)
class Split:
    """outcome: "split", "not_in_household", "no_such_member", "ambiguous", "shares_mismatch", "alone"."""

    outcome: str
    record: RecordResult | None = None
    parts: tuple[tuple[str, Money], ...] = ()
    """(member, what they owe the payer) for each member sharing it."""
    who: str | None = None


@dataclass(frozen=True, slots=True)
class Sharing:
    """Who a split is shared with, or why it cannot be: outcome "ok" with the members (the payer not among
    them) and the household, else one of Split's refusals naming `who`."""

    outcome: str
    members: tuple[Person, ...] = ()
    household_id: uuid.UUID | None = None
    who: str | None = None


async def sharing(uow: UnitOfWork, payer: uuid.UUID, people: Sequence[str], shares: int | None) -> Sharing:
    """The members a split of `payer`'s is shared with: those named, else every other member; `shares`
    said ("en 3") must count them and the payer. The chat asks its question with the same rule."""
    found = await my_household(uow, payer)
    if found is None:
        return Sharing("not_in_household")
    mine, everyone = found
    others = [p for p in everyone if p.user.id != payer]
    if not others:
        return Sharing("alone")
    chosen: list[Person] = []
    for name in people:
        matches = find_person(others, name)
        if len(matches) != 1:
            return Sharing("ambiguous" if matches else "no_such_member", who=name)
        if matches[0] not in chosen:
            chosen.append(matches[0])
    chosen = chosen or others
    if shares is not None and shares != len(chosen) + 1:
        return Sharing("shares_mismatch", tuple(chosen), who=str(shares))
    return Sharing("ok", tuple(chosen), mine.household_id)


async def split_expense(cmd: SplitExpense, uow: UnitOfWork, clock: Clock) -> Split:
    """Record the payer's expense as household spending and what each member sharing it owes: equal parts,
    the payer keeping the odd cents. Nothing is written unless every named person is a member."""
    user = await require_user(uow, cmd.expense.user_id)
    shared = await sharing(uow, user.id, cmd.people, cmd.shares)
    if shared.outcome != "ok" or shared.household_id is None:
        return Split(shared.outcome, who=shared.who)
    household_id, members = shared.household_id, shared.members
    record = await record_occurrence(replace(cmd.expense, shared=True), uow, clock)
    txn = record.transaction
    parts = equal_parts(txn.amount, len(members) + 1)
    owed: list[tuple[str, Money]] = []
    if record.created:
        for person, part in zip(members, parts[1:], strict=True):
            await uow.households.add_share(
                Share(
                    id=new_id(),
                    tenant_id=user.tenant_id,
                    household_id=household_id,
                    creditor_id=user.id,
                    debtor_id=person.user.id,
                    amount=part,
                    kind=ShareKind.SHARE,
                    transaction_id=txn.id,
                    created_at=clock.now(),
                )
            )
            owed.append((person.name, part))
        await uow.commit()
    else:
        names = {p.user.id: p.name for p in members}
        owed = [(names.get(s.debtor_id, "?"), s.amount) for s in await uow.households.shares_of(txn.id)]
    return Split("split", record, tuple(owed))


def equal_parts(total: Money, n: int) -> list[Money]:
    """`total` in n parts of whole minor units; the first (the payer's) takes what does not divide."""
    minor = total.to_minor()
    part = minor // n
    first = minor - part * (n - 1)
    return [Money.from_minor(first, total.currency)] + [Money.from_minor(part, total.currency)] * (n - 1)


@dataclass(frozen=True, slots=True)
class Settlement:
    """outcome: "settled", "already_even", "not_in_household", "no_such_member", "ambiguous"."""

    outcome: str
    settled: tuple[Balance, ...] = ()
    who: str | None = None


async def settle_up(cmd: SettleUp, uow: UnitOfWork, clock: Clock) -> Settlement:
    """Record that the user and a member (or every member) are even: each balance gets its reverse entry,
    so what was owed stays on record and the sum becomes zero."""
    user = await require_user(uow, cmd.user_id)
    found = await my_household(uow, user.id)
    if found is None:
        return Settlement("not_in_household")
    mine, everyone = found
    await uow.households.lock(mine.household_id)
    owed = await balances(uow, user, mine.household_id)
    if cmd.who is not None:
        named = {p.user.id for p in find_person([p for p in everyone if p.user.id != user.id], cmd.who)}
        if not named:
            return Settlement("no_such_member", who=cmd.who)
        if len(named) > 1:
            return Settlement("ambiguous", who=cmd.who)
        owed = [b for b in owed if b.user_id in named]
    owed = [b for b in owed if not b.even]
    if not owed:
        return Settlement("already_even", who=cmd.who)
    for balance in owed:
        for code, amount in balance.net.items():
            # They owed the user (positive): the reverse entry has the user owing them the same.
            creditor, debtor = (balance.user_id, user.id) if amount.amount > 0 else (user.id, balance.user_id)
            ref = None if cmd.source_ref is None else f"{cmd.source_ref}:{code}"
            await uow.households.add_share(
                Share(
                    id=new_id(),
                    tenant_id=user.tenant_id,
                    household_id=mine.household_id,
                    creditor_id=creditor,
                    debtor_id=debtor,
                    amount=Money(abs(amount.amount), code),
                    kind=ShareKind.SETTLEMENT,
                    source_ref=ref,
                    created_at=clock.now(),
                )
            )
    await uow.commit()
    return Settlement("settled", tuple(owed))


__all__ = [
    "Answer",
    "Balance",
    "Departure",
    "Invitation",
    "Person",
    "Settlement",
    "Split",
    "answer_invitation",
    "balances",
    "display_name",
    "equal_parts",
    "find_person",
    "invite",
    "leave",
    "my_household",
    "people",
    "remove",
    "same_person",
    "settle_up",
    "sharing",
    "split_expense",
]
