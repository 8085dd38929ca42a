"""A user's balances: per account and currency, and in total per currency (never summed across currencies)."""

from __future__ import annotations

from bot.admin.api import Call, Resource
from bot.admin.problems import not_found
from bot.admin.resources.users import AccountOut
from bot.admin.schemas import AmountText, Out
from domain import services
from domain.commands import GetBalance
from domain.money import Money

api = Resource("balances")


class MoneyOut(Out):
    amount: AmountText
    currency: str

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=str(money.quantized().amount), currency=money.currency)


class AccountBalanceOut(Out):
    account: AccountOut
    balances: list[MoneyOut]
    """Opening balance + income - expenses, one entry per currency the account has seen; transfer legs and
    loans included (they move money), ordered by currency code."""


class BalanceOut(Out):
    accounts: list[AccountBalanceOut]
    """The default account first."""
    totals: list[MoneyOut]
    """Per currency, the sum over the accounts; currencies are never added together."""


@api.get("/users/{user_id}/balance", response=BalanceOut, summary="A user's balance per account and currency")
async def get_balance(call: Call) -> BalanceOut:
    async with call.reading() as uow:
        user = await uow.users.get(call.id("user_id"))
        if user is None:
            raise not_found("user")
        result = await services.get_balance(GetBalance(user_id=user.id), uow)
    return BalanceOut(
        accounts=[
            AccountBalanceOut(
                account=AccountOut.of(row.account),
                balances=[MoneyOut.of(row.balances[code]) for code in sorted(row.balances)],
            )
            for row in result.accounts
        ],
        totals=[MoneyOut.of(result.totals[code]) for code in sorted(result.totals)],
    )


__all__ = ["api"]
