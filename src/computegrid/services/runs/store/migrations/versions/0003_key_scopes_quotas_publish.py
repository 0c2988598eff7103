"""Key scopes, expiry and quotas; published runs.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        # Existing keys keep what they could do: submit runs (scope "plan"), no expiry.
        batch.add_column(sa.Column("scope", sa.String(16), nullable=False, server_default="plan"))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("min_resolution_h", sa.Integer, nullable=False,
                                   server_default="3"))
        batch.add_column(sa.Column("allow_expand", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_runs_key_id", ["key_id"])


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_key_id")
        batch.drop_column("published_at")
    with op.batch_alter_table("api_keys") as batch:
        for name in ("allow_expand", "min_resolution_h", "expires_at", "scope"):
            batch.drop_column(name)
