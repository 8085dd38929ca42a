"""Pushes people ask for: a weekly digest's day and hour per user, recurring rules marked as bills (reminded
the day before), and the SMS that replaced a WhatsApp push that failed for good.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 10:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("digest_weekday", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("digest_hour", sa.SmallInteger(), nullable=False, server_default="18"))
        batch.create_check_constraint(
            "digest_weekday_in_range", "digest_weekday IS NULL OR digest_weekday BETWEEN 0 AND 6"
        )
        batch.create_check_constraint("digest_hour_in_range", "digest_hour BETWEEN 0 AND 23")
    with op.batch_alter_table("recurring_rules") as batch:
        batch.add_column(sa.Column("bill", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("fallback_for", sa.Uuid(), nullable=True))
    # One SMS fallback per failed WhatsApp message, even with several workers.
    op.create_index(
        "uq_outbound_messages_fallback",
        "outbound_messages",
        ["tenant_id", "fallback_for"],
        unique=True,
        postgresql_where=sa.text("fallback_for IS NOT NULL"),
        sqlite_where=sa.text("fallback_for IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_outbound_messages_fallback", table_name="outbound_messages")
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("fallback_for")
    with op.batch_alter_table("recurring_rules") as batch:
        batch.drop_column("bill")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("digest_hour_in_range", type_="check")
        batch.drop_constraint("digest_weekday_in_range", type_="check")
        batch.drop_column("digest_hour")
        batch.drop_column("digest_weekday")
