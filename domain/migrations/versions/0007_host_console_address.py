"""host console address

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-25 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("compute_host") as batch:
        batch.add_column(
            sa.Column("console_address", sa.String(length=255), server_default="127.0.0.1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("compute_host") as batch:
        batch.drop_column("console_address")
