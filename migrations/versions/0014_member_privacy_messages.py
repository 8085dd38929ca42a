"""Member privacy beyond the ledger: audit records, outbox events and the messages in and out.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 08:30:00

Migration 0013 hid another member's personal accounts, budgets and transactions from a unit of work that reads
as a member (`app.user_id`). The same person's money also shows in the audit trail (before and after of each
change), in the outbox (an alert's spending) and in the messages they sent and got. A member reads only their
own; without `app.user_id` (workers, the admin API, the inbox lifecycle) the tenant policy alone applies.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ME = "nullif(current_setting('app.user_id', true), '')::uuid"
MY_PHONE = f"(SELECT phone FROM users WHERE id = {ME})"

MEMBER_RULES: dict[str, str] = {
    "audit_log": f"user_id = {ME}",
    "outbox": f"payload->>'user_id' = {ME}::text",
    "inbox": f"sender = {MY_PHONE}",
    "outbound_messages": f"recipient = {MY_PHONE}",
}


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table, rule in MEMBER_RULES.items():
        for command in ("SELECT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE POLICY member_privacy_{command.lower()} ON {table} AS RESTRICTIVE FOR {command} "
                f"USING ({ME} IS NULL OR {rule})"
            )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in MEMBER_RULES:
        for command in ("select", "update", "delete"):
            op.execute(f"DROP POLICY IF EXISTS member_privacy_{command} ON {table}")
