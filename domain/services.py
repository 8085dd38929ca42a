"""The use cases of the ledger in one import: each takes a command, the unit of work it runs in, a clock."""

from __future__ import annotations

from domain.budgets import budget_status, set_budget
from domain.directory import add_account, add_user, create_tenant, open_account
from domain.ledger import (
    edit_last,
    record_expense,
    record_income,
    record_transaction,
    record_transactions,
    restore_transaction,
    undo_last,
)
from domain.operations import (
    delete_transaction,
    get_transaction,
    restore_transaction_by_id,
    search_transactions,
    transaction_history,
    update_transaction,
)
from domain.reports import get_balance, list_transactions, monthly_spending, spending_summary
from domain.transfers import record_transfer

# Conventions every use case follows, so callers (bot handlers, the admin API, the CLI) can rely on them:
# - The caller opens the unit of work (`async with uow:`) and passes it in; a use case that writes commits
#   it once, at the end, after every check has passed. A refused command raises before anything is
#   committed and the caller's `__aexit__` rolls back. Queries and idempotent replays never commit.
# - Writers lock the user first (`uow.users.lock`) so concurrent writers for one user serialize.
# - Time comes from the Clock; "today" is the user's local day in their time zone.
__all__ = [
    "add_account",
    "add_user",
    "budget_status",
    "create_tenant",
    "delete_transaction",
    "edit_last",
    "get_balance",
    "get_transaction",
    "list_transactions",
    "monthly_spending",
    "open_account",
    "record_expense",
    "record_income",
    "record_transaction",
    "record_transactions",
    "record_transfer",
    "restore_transaction",
    "restore_transaction_by_id",
    "search_transactions",
    "set_budget",
    "spending_summary",
    "transaction_history",
    "undo_last",
    "update_transaction",
]
