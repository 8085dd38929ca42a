"""Users: their own quiet hours ("don't message me after 9pm") and budget alerts on or off.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 08:45:00

"22:00-08:00" in the user's zone, "off" for pushes at any hour, NULL for the tenant's (which default to
22:00-08:00 until its operators choose others): domain/quiet.py. budget_alerts false: crossings are still
recorded (and told in a chat reply), but not pushed.
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
        batch.add_column(sa.Column("budget_alerts", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("budget_alerts")
        batch.drop_column("quiet_hours")
