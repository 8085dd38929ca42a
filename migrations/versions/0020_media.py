"""Pictures both ways: the attachments of an inbound message (a receipt photo, kept so a retry can still
download it) and the public URL of the image sent with an outbound one (a chart).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("media", sa.Text, nullable=True))
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("media_url", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("media_url")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("media")
