"""volumes: disks as first-class objects

Revision ID: 0011
Revises: 0006
Create Date: 2026-11-25 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("compute_disk") as batch:
        batch.add_column(sa.Column("name", sa.String(length=64), server_default="", nullable=False))
        batch.add_column(sa.Column("path", sa.String(length=512), nullable=True))
        batch.add_column(sa.Column("device", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("task_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch.create_index("ix_compute_disk_task_id", ["task_id"])


def downgrade() -> None:
    with op.batch_alter_table("compute_disk") as batch:
        batch.drop_index("ix_compute_disk_task_id")
        for column in ("error", "task_id", "device", "path", "name"):
            batch.drop_column(column)
