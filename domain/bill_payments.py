"""Whether a bill's occurrence was already paid: a transaction of the user's matching it, recorded by hand.

A transaction pays a bill's occurrence due on `due` (its rule marked as a bill) when all of these hold:
- it is the same user's live expense (not undone, not a transfer leg), in the rule's currency;
- it was not recorded by a recurring rule (Source.RECURRING): the rule's own recordings are the occurrences
  themselves, and another rule's recording pays that other rule, not this one;
- its day is after the previous due day and no later than `due`: (previous due, due]. A payment on the
  previous due day belongs to that occurrence (the rule records it that day, or that day's payment was its
  early payment), so it cannot pay the next one too;
- its amount is within PAID_TOLERANCE of the rule's (a rent of 1.800 paid as 1.750 or 1.850 still counts);
- it names the bill: the rule has a merchant and the transaction's merchant is the same (case and accents
  aside), or the transaction has no merchant and the rule's category; a rule with no merchant is matched on
  its category alone (rent noted as "paguei o aluguel 1800" lands in housing with no merchant).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.model import Period, RecurringRule, Source, Transaction, TransactionKind
from domain.ports import TransactionFilter, UnitOfWork
from domain.search import folded

PAID_TOLERANCE = Decimal("0.10")
"""How far (as a share of the rule's amount) a payment's amount may be from the bill's and still pay it."""


def same_bill(rule: RecurringRule, txn: Transaction) -> bool:
    """Whether `txn` names the same bill and amount as `rule` (the window of days is checked apart)."""
    if txn.kind != TransactionKind.EXPENSE or txn.is_deleted or txn.is_transfer:
        return False
    if txn.source == Source.RECURRING or txn.user_id != rule.user_id:
        return False
    if txn.amount.currency != rule.amount.currency:
        return False
    if abs(txn.amount.amount - rule.amount.amount) > rule.amount.amount * PAID_TOLERANCE:
        return False
    if rule.merchant and txn.merchant:
        return folded(txn.merchant) == folded(rule.merchant)
    return rule.category is not None and txn.category == rule.category


def paid_between(rule: RecurringRule, since: date, due: date, found: list[Transaction]) -> Transaction | None:
    """The first of `found` that pays the occurrence due on `due`, the previous one being due on `since`."""
    return next((t for t in found if since < t.occurred_on <= due and same_bill(rule, t)), None)


async def find_payment(rule: RecurringRule, since: date, due: date, uow: UnitOfWork) -> Transaction | None:
    """The transaction that already paid the occurrence due on `due` (the one before was due on `since`),
    None when it is not paid yet."""
    if since >= due:
        return None
    flt = TransactionFilter(
        user_id=rule.user_id,
        kind=TransactionKind.EXPENSE,
        period=Period(since + timedelta(days=1), due),
        currency=rule.amount.currency,
    )
    return paid_between(rule, since, due, await uow.transactions.list(flt))
