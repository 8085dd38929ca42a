"""Loading the user and account a command names, refusing ids that do not belong to that user."""

from __future__ import annotations

import uuid

from domain.errors import NotFound, ValidationError
from domain.model import Account, User
from domain.ports import UnitOfWork


async def require_user(uow: UnitOfWork, user_id: uuid.UUID) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


async def user_account(uow: UnitOfWork, user: User, account_id: uuid.UUID | None) -> Account:
    """The named account if it is the user's, else the user's default account."""
    if account_id is None:
        account = await uow.accounts.default_for(user.id)
        if account is None:
            raise NotFound("account", "default")
        return account
    account = await uow.accounts.get(account_id)
    # Ids in commands come from outside: an account of someone else is treated as not existing. A shared
    # account is every active member's.
    if account is None or (account.user_id != user.id and not await _shares(uow, user, account)):
        raise ValidationError("account_id", "no such account for this user")
    return account


async def _shares(uow: UnitOfWork, user: User, account: Account) -> bool:
    if account.household_id is None:
        return False
    mine = await uow.households.membership(user.id)
    return mine is not None and mine.household_id == account.household_id
