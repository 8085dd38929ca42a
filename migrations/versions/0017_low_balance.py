"""Accounts: a low-balance warning the user set ("avísame si la cuenta baja de 100 mil"), told once until the
balance recovers.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 09:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("low_balance_minor", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("low_balance_warned", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("low_balance_warned")
        batch.drop_column("low_balance_minor")
