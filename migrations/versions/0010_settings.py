"""Users: the first day of a user's week, chosen by chat ("my week starts on sunday") or through the API.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 02:00:00

NULL keeps the default the user's locale implies (Sunday in the US, Monday elsewhere); "this week", "last
week" and weekly budgets follow it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("week_start", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("week_start")
