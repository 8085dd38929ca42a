"""Low balance: an account under the warning its user set is told once, and again only after it recovers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain import validation as v
from domain.events import LowBalance
from domain.lookup import require_user, user_account
from domain.model import Account, Source, TransactionKind, User
from domain.money import Money
from domain.ports import TransactionFilter, UnitOfWork


@dataclass(frozen=True, slots=True)
class WarnBelow:
    """ "avísame si la cuenta baja de 100 mil": warn when the account (default: the user's default one) goes
    under `amount`, in the account's currency."""

    user_id: uuid.UUID
    amount: object
    account_id: uuid.UUID | None = None


async def account_balance(uow: UnitOfWork, account: Account) -> Money:
    """Opening balance plus income minus expenses in the account's currency (every member's writes on a
    shared account); other currencies on it are not this balance."""
    flt = TransactionFilter(
        user_id=account.user_id,
        household_id=account.household_id,
        account_id=account.id,
        currency=account.currency,
        include_transfers=True,
        include_loans=True,
    )
    balance = account.opening_balance
    for row in await uow.transactions.aggregate(flt, by=("kind",)):
        signed = row.total if row.key[0] == TransactionKind.INCOME else -row.total
        balance = balance + signed
    return balance.quantized()


async def warn_below(cmd: WarnBelow, uow: UnitOfWork) -> tuple[Account, Money]:
    """Set the warning; (the account, its balance now). Already under it: counted as told (the reply says)."""
    user = await require_user(uow, cmd.user_id)
    account = await user_account(uow, user, cmd.account_id)
    account.low_balance = v.positive_money(cmd.amount, account.currency)
    balance = await account_balance(uow, account)
    account.low_balance_warned = balance < account.low_balance
    await uow.accounts.update(account)
    await uow.commit()
    return account, balance


async def check(uow: UnitOfWork, user: User, account: Account, source: Source | None) -> LowBalance | None:
    """After a write on the account (as the write loaded it): warn once when it went under its warning,
    re-arm once it recovered. Without the commit (the write's own). No warning set: no query at all."""
    if account.low_balance is None:
        return None
    balance = await account_balance(uow, account)
    below = balance < account.low_balance
    if below == account.low_balance_warned:
        return None
    account.low_balance_warned = below
    await uow.accounts.update(account)
    if not below:
        return None
    event = LowBalance(
        tenant_id=user.tenant_id,
        user_id=user.id,
        account_id=account.id,
        account=account.name,
        balance=balance,
        threshold=account.low_balance,
        source=None if source is None else source.value,
    )
    uow.emit(event)
    return event
