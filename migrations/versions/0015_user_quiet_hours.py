"""Users: their own quiet hours, chosen by chat ("don't message me after 9pm").

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 08:45:00

"22:00-08:00" in the user's zone, "off" for pushes at any hour, NULL for the tenant's (which default to
22:00-08:00 until its operators choose others): domain/quiet.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("quiet_hours", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("quiet_hours")
