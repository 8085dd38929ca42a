"""Inbox lifecycle: dedupe on the provider's id alone, claim tokens and leases, backoff and deferral times.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04 00:00:00

SQLite cannot alter constraints in place: batch mode rebuilds the table there (PostgreSQL alters it, so its
Row-Level Security policy and grants stay). The partial and sender indexes are dropped first and rebuilt
afterwards so they come back exactly as 0002 and 0003 made them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types (a migration must not change when adapters/db/tables.py does).
TS = sa.DateTime(timezone=True)
OPEN = "status IN ('pending', 'processing')"
STATUSES_BEFORE = "status IN ('pending', 'processing', 'done', 'failed')"
STATUSES = "status IN ('pending', 'processing', 'done', 'failed', 'dropped')"
OLD_KEY = "uq_inbox_tenant_id_channel_provider_message_id"
NEW_KEY = "uq_inbox_tenant_id_provider_message_id"


def _drop_indexes() -> None:
    op.drop_index("ix_inbox_sender_received", table_name="inbox")
    op.drop_index("ix_inbox_open", table_name="inbox")


def _create_indexes() -> None:
    op.create_index(
        "ix_inbox_open",
        "inbox",
        ["tenant_id", "received_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index("ix_inbox_sender_received", "inbox", ["tenant_id", "sender", "received_at"])


def _merge_duplicates() -> None:
    """Rows the old key let in twice (one MessageSid posted with and without "whatsapp:"): keep the first,
    point its duplicates' outbound messages at it, delete the duplicates; the new key can then be built."""
    bind = op.get_bind()
    groups = bind.execute(
        sa.text(
            "SELECT tenant_id, provider_message_id FROM inbox "
            "GROUP BY tenant_id, provider_message_id HAVING count(*) > 1"
        )
    ).all()
    for tenant_id, provider_message_id in groups:
        ids = (
            bind.execute(
                sa.text(
                    "SELECT id FROM inbox WHERE tenant_id = :tenant AND provider_message_id = :ref "
                    "ORDER BY received_at, id"
                ),
                {"tenant": tenant_id, "ref": provider_message_id},
            )
            .scalars()
            .all()
        )
        keep, extra = ids[0], list(ids[1:])
        repoint = sa.text("UPDATE outbound_messages SET inbox_id = :keep WHERE inbox_id IN :extra")
        bind.execute(
            repoint.bindparams(sa.bindparam("extra", expanding=True)), {"keep": keep, "extra": extra}
        )
        delete = sa.text("DELETE FROM inbox WHERE id IN :extra")
        bind.execute(delete.bindparams(sa.bindparam("extra", expanding=True)), {"extra": extra})


def upgrade() -> None:
    # Run as the schema owner. On PostgreSQL a non-superuser owner is bound by the forced RLS policy and
    # these data fixes see no rows; the claim query treats a lease-less claim as expired anyway.
    _merge_duplicates()
    _drop_indexes()
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(
            sa.Column("provider", sa.String(16), nullable=False, server_default=sa.text("'twilio'"))
        )
        batch.add_column(sa.Column("media_count", sa.Integer, nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("profile_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("claim_token", sa.String(32), nullable=True))
        batch.add_column(sa.Column("lease_until", TS, nullable=True))
        batch.add_column(sa.Column("not_before", TS, nullable=True))
        batch.add_column(sa.Column("deferred_at", TS, nullable=True))
        batch.drop_constraint(op.f(OLD_KEY), type_="unique")
        batch.create_unique_constraint(op.f(NEW_KEY), ["tenant_id", "provider_message_id"])
        batch.drop_constraint(op.f("ck_inbox_status"), type_="check")
        batch.create_check_constraint(op.f("ck_inbox_status"), sa.text(STATUSES))
    _create_indexes()
    # Rows stored before this revision: Meta's are the ones sent to a Meta phone_number_id; a claim
    # without a lease is over (the worker takes it at once, as it would a dead processor's).
    op.execute(
        "UPDATE inbox SET provider = 'meta' WHERE recipient IN "
        "(SELECT address FROM channel_endpoints WHERE provider = 'meta')"
    )
    op.execute("UPDATE inbox SET lease_until = claimed_at WHERE status = 'processing'")


def downgrade() -> None:
    _drop_indexes()
    # 'dropped' rows were never processed and their sender was told: done, with no reply, is the nearest.
    op.execute("UPDATE inbox SET status = 'done' WHERE status = 'dropped'")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_constraint(op.f("ck_inbox_status"), type_="check")
        batch.create_check_constraint(op.f("ck_inbox_status"), sa.text(STATUSES_BEFORE))
        batch.drop_constraint(op.f(NEW_KEY), type_="unique")
        batch.create_unique_constraint(op.f(OLD_KEY), ["tenant_id", "channel", "provider_message_id"])
        for column in (
            "deferred_at",
            "not_before",
            "lease_until",
            "claim_token",
            "profile_name",
            "media_count",
            "provider",
        ):
            batch.drop_column(column)
    _create_indexes()
