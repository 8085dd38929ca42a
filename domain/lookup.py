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
    # Ids in commands come from outside: an account of someone else is treated as not existing.
    if account is None or account.user_id != user.id:
        raise ValidationError("account_id", "no such account for this user")
    return account
