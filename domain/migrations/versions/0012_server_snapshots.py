"""server snapshots and screenshots

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 21:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import domain.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compute_server_snapshot",
        sa.Column("server_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("domain_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "CREATING", "READY", "REVERTING", "DELETING", "ERROR",
                name="snapshot_status", native_enum=False, length=16,
            ),
            nullable=False,
        ),
        sa.Column("includes_memory", sa.Boolean(), nullable=False),
        sa.Column("quiesced", sa.Boolean(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", domain.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["server_id"], ["compute_server.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("server_id", "project_id", "domain_id", "created_at"):
        op.create_index(f"ix_compute_server_snapshot_{column}", "compute_server_snapshot", [column])
    op.create_table(
        "compute_server_screenshot",
        sa.Column("server_id", sa.Uuid(), nullable=False),
        sa.Column("mime_type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("taken_at", domain.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["server_id"], ["compute_server.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("server_id"),
    )


def downgrade() -> None:
    op.drop_table("compute_server_screenshot")
    for column in ("server_id", "project_id", "domain_id", "created_at"):
        op.drop_index(f"ix_compute_server_snapshot_{column}", table_name="compute_server_snapshot")
    op.drop_table("compute_server_snapshot")
